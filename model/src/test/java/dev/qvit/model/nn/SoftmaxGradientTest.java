package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;

import dev.qvit.model.LayerGradients;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Row-wise softmax backward against central differences of L = sum(softmax(x) * R), float64. */
class SoftmaxGradientTest {
    private static final int ROWS = 6;
    private static final int COLS = 5;

    private final Random random = new Random(1404);

    @Test
    void softmaxInputGradientMatchesFiniteDifferences() {
        // given peaked but not saturated rows (std 2)
        INDArray x = gaussian(random, 0.0, 2.0, ROWS, COLS);
        INDArray p = Nd4j.create(DataType.DOUBLE, ROWS, COLS);
        INDArray dx = Nd4j.create(DataType.DOUBLE, ROWS, COLS);
        INDArray rowSums = Nd4j.create(DataType.DOUBLE, ROWS);

        // when
        LayerGradients gradients = LayerGradients.of(random, x, v -> Softmax.forward(v, p),
                dp -> Softmax.backward(p, dp, dx, rowSums));

        // then
        gradients.checkInput("softmax dx").assertBelow(TOLERANCE);
    }
}
