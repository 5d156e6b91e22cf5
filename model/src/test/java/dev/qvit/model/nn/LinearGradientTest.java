package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;

import dev.qvit.model.LayerGradients;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Linear y = x W^T + b against central differences of L = sum(y * R), float64. */
class LinearGradientTest {
    private static final int ROWS = 6;
    private static final int IN = 8;
    private static final int OUT = 12;

    private final Random random = new Random(1101);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final Linear linear = new Linear(params, "fc", IN, OUT);
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        linear.initPyTorchDefault(random);           // U(+-1/sqrt(in)) for weight and a non-zero bias
        gradients = LayerGradients.of(random, gaussian(random, ROWS, IN), linear::forward, linear::backward);
    }

    @Test
    void linearInputGradientMatchesFiniteDifferences() {
        gradients.checkInput("fc dx").assertBelow(TOLERANCE);
    }

    @Test
    void linearWeightAndBiasGradientsMatchFiniteDifferences() {
        gradients.assertEveryParameterGradient(params, ALL, "fc.weight", "fc.bias");
    }

    @Test
    void linearBackwardParametersOnlyWeightAndBiasGradientsMatchFiniteDifferences() {
        // given stale gradients
        linear.weight().grad().assign(Double.NaN);
        linear.bias().grad().assign(Double.NaN);

        // when only the parameter gradients are computed (the path of the patch embedding)
        linear.forward(gradients.input());
        linear.backwardParametersOnly(gradients.upstream());

        // then they are overwritten with the true gradients
        gradients.assertEveryParameterGradient(params, ALL, "fc.weight", "fc.bias");
    }
}
