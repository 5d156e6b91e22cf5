package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;

import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** FC2(GELU(FC1(x))) with D 8 and hidden 12 against central differences, float64. */
class MlpGradientTest {
    private static final int ROWS = 10;
    private static final int DIM = 8;
    private static final int HIDDEN = 12;

    private final Random random = new Random(2202);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final Mlp mlp = new Mlp(params, "mlp", DIM, HIDDEN);
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        mlp.init(random);
        perturbAll(params, random, 0.4);             // O(1) pre-activations, non-zero biases
        gradients = LayerGradients.of(random, gaussian(random, ROWS, DIM), mlp::forward, mlp::backward);
    }

    @Test
    void mlpInputGradientMatchesFiniteDifferences() {
        gradients.checkInput("mlp dx").assertBelow(TOLERANCE);
    }

    @Test
    void mlpParameterGradientsMatchFiniteDifferences() {
        gradients.assertEveryParameterGradient(params, ALL,
                "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias");
    }
}
