package dev.qvit.model.quant;

import static dev.qvit.model.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** LSQ forward and straight-through gradients against values computed by hand (method doc section 2.2). */
class LsqQuantizerTest {
    private static final double[] X = {-1.6, -0.3, 0.2, 0.26, 0.9};
    private static final double[] U = {1, 2, 3, 4, 5};

    private static LsqQuantizer activation(int bits, double step, double zero) {
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "a", bits, 1, 1);
        params.allocate();
        q.forward(row(X), true);                       // initialise (signed: min < 0)
        q.step().value().assign(step);
        q.zeroPoint().value().assign(zero);
        return q;
    }

    private static INDArray row(double... v) {
        return Nd4j.createFromArray(v).reshape(v.length, 1);    // 5 tokens, 1 channel
    }

    @Test
    void twoBitForwardClipsRoundsHalfToEvenAndRescales() {
        // given s = 0.5, z = 0: v = [-3.2, -0.6, 0.4, 0.52, 1.8], range [-2, 1]
        LsqQuantizer q = activation(2, 0.5, 0.0);
        INDArray out = q.forward(row(X), true);
        assertThat(out.toDoubleVector()).containsExactly(-1.0, -0.5, 0.0, 0.5, 0.5);
    }

    @Test
    void roundingTiesGoToEvenAsInTorch() {
        // given 3 bits, s = 0.5: x / s = 0.5, 1.5, 2.5, -0.5, -1.5 -> 0, 2, 2, -0, -2 (not half-up 1, 2, 3, 0, -1)
        LsqQuantizer q = activation(3, 0.5, 0.0);
        double[] out = q.forward(row(0.25, 0.75, 1.25, -0.25, -0.75), true).toDoubleVector();
        assertThat(plain(out)).containsExactly(0.0, 1.0, 1.0, 0.0, -1.0);
    }

    /** -0.0 -> 0.0, so that exact comparisons read naturally. */
    private static double[] plain(double[] values) {
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += 0.0;
        }
        return out;
    }

    @Test
    void straightThroughGradientsWithoutZeroPointMatchHandComputation() {
        LsqQuantizer q = activation(2, 0.5, 0.0);
        q.forward(row(X), true);
        INDArray dx = q.backward(row(U));
        // input: passes inside [Qn, Qp] (elements 1..3), blocked where clamped (0 and 4)
        assertThat(dx.toDoubleVector()).containsExactly(0.0, 2.0, 3.0, 4.0, 0.0);
        // step: Qn*1 + (-1 - -0.6)*2 + (0 - 0.4)*3 + (1 - 0.52)*4 + Qp*5 = 2.92, times g = 1/sqrt(5 * 1)
        double g = 1 / Math.sqrt(5 * 1.0);
        assertThat(q.gradScale()).isCloseTo(g, within(1e-15));
        assertThat(q.step().grad().getDouble(0)).isCloseTo(2.92 * g, within(1e-12));
        // zero point: -s on the clamped elements: (1 + 5) * -0.5 = -3
        assertThat(q.zeroPoint().grad().getDouble(0)).isCloseTo(-3.0 * g, within(1e-12));
    }

    @Test
    void zeroPointShiftsTheGridAndItsGradientCountsEveryClampedElement() {
        // given z = 0.7 -> round(z) = 1: v = [-2.2, 0.4, 1.4, 1.52, 2.8], only element 1 inside [-2, 1]
        LsqQuantizer q = activation(2, 0.5, 0.7);
        INDArray out = q.forward(row(X), true);
        assertThat(out.toDoubleVector()).containsExactly(-1.5, -0.5, 0.0, 0.0, 0.0);
        INDArray dx = q.backward(row(U));
        assertThat(dx.toDoubleVector()).containsExactly(0.0, 2.0, 0.0, 0.0, 0.0);
        double g = q.gradScale();
        // step: (Qn - 1)*1 + (0 - 0.4)*2 + (Qp - 1)*(3 + 4 + 5) = -3.8
        assertThat(q.step().grad().getDouble(0)).isCloseTo(-3.8 * g, within(1e-12));
        // zero point: -0.5 * (1 + 3 + 4 + 5) = -6.5
        assertThat(q.zeroPoint().grad().getDouble(0)).isCloseTo(-6.5 * g, within(1e-12));
    }

    @Test
    void weightStepsArePerOutputChannelWithWholeTensorGradientScale() {
        // given W [2, 3] with steps 0.5 (row 0) and 1.0 (row 1), 3 bits: range [-4, 3]
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        LsqQuantizer q = LsqQuantizer.forWeight(params, "w", 3, 2);
        params.allocate();
        INDArray w = Nd4j.createFromArray(new double[][] {{0.3, -2.6, 1.2}, {0.3, -2.6, 5.0}});
        q.forward(w, true);
        q.step().value().assign(Nd4j.createFromArray(0.5, 1.0));
        // when
        INDArray wq = q.forward(w, true);
        // then row 0: v = [0.6, -5.2, 2.4] -> [1, -4, 2] * 0.5; row 1: v = [0.3, -2.6, 5] -> [0, -3, 3]
        assertThat(wq.toDoubleMatrix()).isDeepEqualTo(new double[][] {{0.5, -2.0, 1.0}, {0.0, -3.0, 3.0}});
        q.backward(Nd4j.ones(DataType.DOUBLE, 2, 3));
        double g = 1 / Math.sqrt(6 * 3.0);
        // row 0: (1 - 0.6) + Qn + (2 - 2.4) = -4; row 1: (0 - 0.3) + (-3 + 2.6) + Qp = 2.3
        assertThat(q.step().grad().getDouble(0)).isCloseTo(-4.0 * g, within(1e-12));
        assertThat(q.step().grad().getDouble(1)).isCloseTo(2.3 * g, within(1e-12));
        assertThat(q.zeroPoint()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void initialisationFollowsTheMethodDocAndTheCodesFollowFromIt(int bits) {
        // given 4 channels of N(0.4, 3^2) values, min < 0: a signed quantizer
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "a", bits, 4, 1);
        params.allocate();
        INDArray x = gaussian(new Random(31 + bits), 0.4, 3.0, 50, 4);
        // when the first training batch initialises it
        q.forward(x, true);
        // then s = 2 mean|x| / sqrt(Qp) and z = 0.1 (min x - s Qn) in every channel, over the whole tensor
        int qn = -(1 << (bits - 1));
        int qp = (1 << (bits - 1)) - 1;
        double[] v = x.dup().data().asDouble();
        double meanAbs = java.util.Arrays.stream(v).map(Math::abs).sum() / v.length;
        double min = java.util.Arrays.stream(v).min().orElseThrow();
        double s = 2 * meanAbs / Math.sqrt(qp);
        double z = 0.1 * (min - s * qn);
        assertThat(q.range().signed()).isTrue();
        assertThat(q.step().value().toDoubleVector()).containsExactly(new double[] {s, s, s, s}, within(1e-12));
        assertThat(q.zeroPoint().value().toDoubleVector()).containsExactly(new double[] {z, z, z, z}, within(1e-12));
        assertThat(q.gradScale()).isCloseTo(1 / Math.sqrt(200.0 * qp), within(1e-15));
        // and every code is round-half-even(clamp(x / s + round(z), Qn, Qp)), worked out element by element
        double[] codes = q.lastCodes().dup().data().asDouble();
        for (int i = 0; i < v.length; i++) {
            double expected = Math.rint(Math.max(qn, Math.min(qp, v[i] / s + Math.rint(z))));
            assertThat(codes[i]).as("code %d", i).isEqualTo(expected);
        }
    }

    @Test
    void nonNegativeInputGivesAnUnsignedQuantizer() {
        // the softmax output is >= 0: unsigned range [0, 2^b - 1]
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "attn", 2, 1, 1);
        params.allocate();
        q.forward(Nd4j.createFromArray(new Random(5).doubles(10).toArray()).reshape(10, 1), true);
        assertThat(q.range().signed()).isFalse();
        assertThat(q.range().qn()).isZero();
        assertThat(q.range().qp()).isEqualTo(3);
    }

    @Test
    void inferenceBeforeInitialisationIsRefused() {
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "a", 4, 1, 1);
        params.allocate();
        assertThat(q.initialized()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.forward(row(X), false))
                .hasMessageContaining("before initialisation");
        q.forward(row(X), true);
        assertThat(q.initialized()).isTrue();
    }
}
