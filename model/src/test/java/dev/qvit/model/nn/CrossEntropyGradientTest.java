package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Mean softmax cross-entropy: backward() against central differences of the loss itself, float64. */
class CrossEntropyGradientTest {
    private static final int BATCH = 3;
    private static final int CLASSES = 4;

    private final Random random = new Random(1505);
    private final CrossEntropy ce = new CrossEntropy(new Buffers(DataType.DOUBLE));
    private final INDArray logits = gaussian(random, 0.0, 2.0, BATCH, CLASSES);

    @Test
    void crossEntropyLogitGradientMatchesFiniteDifferencesForOneHotTargets() {
        // given
        INDArray targets = ce.oneHot(new int[] {2, 0, 3}, CLASSES).dup();

        // when
        ce.forward(logits, targets);
        INDArray dLogits = ce.backward().dup();

        // then
        check("ce dlogits (one-hot)", logits, dLogits, () -> ce.forward(logits, targets), ALL, random)
                .assertBelow(TOLERANCE);
    }

    @Test
    void crossEntropyLogitGradientMatchesFiniteDifferencesForMixedSoftTargets() {
        // given hard-distillation targets 0.5 * onehot(y) + 0.5 * onehot(t), with y == t in the last row;
        // oneHot returns a reused buffer, hence the dup() of the first
        INDArray labels = ce.oneHot(new int[] {2, 0, 3}, CLASSES).dup();
        INDArray teacher = ce.oneHot(new int[] {1, 3, 3}, CLASSES).dup();
        INDArray targets = labels.mul(0.5).addi(teacher.mul(0.5));

        // when
        ce.forward(logits, targets);
        INDArray dLogits = ce.backward().dup();

        // then
        check("ce dlogits (mixed)", logits, dLogits, () -> ce.forward(logits, targets), ALL, random)
                .assertBelow(TOLERANCE);
    }
}
