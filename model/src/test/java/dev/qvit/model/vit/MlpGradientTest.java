package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;
import static dev.qvit.model.GradientCheck.weightedSum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** FC2(GELU(FC1(x))) with D 8 and hidden 12 against central differences, float64. */
class MlpGradientTest {
    private static final int ROWS = 10;
    private static final int DIM = 8;
    private static final int HIDDEN = 12;

    private final Random random = new Random(2202);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final Mlp mlp = new Mlp(params, "mlp", DIM, HIDDEN);
    private INDArray x;
    private INDArray r;
    private INDArray dx;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        mlp.init(random);
        perturbAll(params, random, 0.4);             // O(1) pre-activations, non-zero biases
        x = gaussian(random, ROWS, DIM);
        r = gaussian(random, ROWS, DIM);
        mlp.forward(x);
        dx = mlp.backward(r).dup();
    }

    private double loss() {
        return weightedSum(mlp.forward(x), r);
    }

    @Test
    void mlpInputGradientMatchesFiniteDifferences() {
        check("mlp dx", x, dx, this::loss, ALL, random).assertBelow(TOLERANCE);
    }

    @Test
    void mlpParameterGradientsMatchFiniteDifferences() {
        assertThat(params.parameters()).extracting(Parameter::name)
                .containsExactly("mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias");
        for (Parameter p : params.parameters()) {
            check(p, this::loss, ALL, random).assertBelow(TOLERANCE);
        }
    }
}
