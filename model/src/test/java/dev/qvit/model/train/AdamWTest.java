package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {

    @Test
    void twoStepsMatchTheTorchAdamWFormulaAndDecayOnlyWeights() {
        // given a decayed weight and an undecayed bias with fixed gradients
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        Parameter w = params.declare("w", true, 2);
        Parameter b = params.declare("b", false, 1);
        params.allocate();
        w.value().assign(Nd4j.createFromArray(1.0, -2.0));
        b.value().assign(0.5);
        AdamW adam = new AdamW(params, 0.9, 0.999, 1e-8, 0.1);
        double lr = 0.01;
        double[] grads = {0.3, -0.2, 0.7};
        double[] p = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        boolean[] decay = {true, true, false};
        for (int step = 1; step <= 2; step++) {
            // when
            w.grad().assign(Nd4j.createFromArray(grads[0], grads[1]));
            b.grad().assign(grads[2]);
            adam.step(lr);
            // then: the same update computed by hand (torch.optim.AdamW)
            for (int i = 0; i < 3; i++) {
                if (decay[i]) {
                    p[i] -= lr * 0.1 * p[i];
                }
                m[i] = 0.9 * m[i] + 0.1 * grads[i];
                v[i] = 0.999 * v[i] + 0.001 * grads[i] * grads[i];
                double mHat = m[i] / (1 - Math.pow(0.9, step));
                double vHat = v[i] / (1 - Math.pow(0.999, step));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
            }
            assertThat(w.value().getDouble(0)).isCloseTo(p[0], within(1e-12));
            assertThat(w.value().getDouble(1)).isCloseTo(p[1], within(1e-12));
            assertThat(b.value().getDouble(0)).isCloseTo(p[2], within(1e-12));
        }
    }
}
