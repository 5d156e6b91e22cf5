package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.fillGaussian;
import static dev.qvit.model.GradientCheck.gaussian;

import dev.qvit.model.LayerGradients;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** LayerNorm over the last dimension against central differences of L = sum(y * R), float64. */
class LayerNormGradientTest {
    private static final int ROWS = 6;
    private static final int DIM = 8;
    private static final double EPS = 1e-6;

    private final Random random = new Random(1202);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final LayerNorm norm = new LayerNorm(params, "norm", DIM, EPS);
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        norm.init();
        fillGaussian(norm.gamma().value(), random, 1.0, 0.5);   // gamma != 1 so dx depends on gamma
        fillGaussian(norm.beta().value(), random, 0.0, 0.5);
        // off-centre, not unit variance
        gradients = LayerGradients.of(random, gaussian(random, 0.7, 2.0, ROWS, DIM), norm::forward, norm::backward);
    }

    @Test
    void layerNormInputGradientMatchesFiniteDifferences() {
        gradients.checkInput("norm dx").assertBelow(TOLERANCE);
    }

    @Test
    void layerNormGammaGradientMatchesFiniteDifferences() {
        gradients.checkParameter(norm.gamma(), ALL).assertBelow(TOLERANCE);
    }

    @Test
    void layerNormBetaGradientMatchesFiniteDifferences() {
        gradients.checkParameter(norm.beta(), ALL).assertBelow(TOLERANCE);
    }
}
