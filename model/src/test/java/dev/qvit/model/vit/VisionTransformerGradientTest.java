package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The whole ViT (8x8 images, patch 4, 5 tokens, D 8, depth 2, 2 heads, MLP 12, 3 classes) with mean
 * cross-entropy: every parameter tensor's gradient against central differences of the loss, float64.
 */
class VisionTransformerGradientTest {
    private static final VitConfig CONFIG = new VitConfig(8, 4, 1, 8, 2, 2, 12, 3);
    private static final int BATCH = 2;
    private static final int[] LABELS = {2, 0};
    /** Elements per parameter tensor: all of the small ones, a random sample of >= 30 of the others. */
    private static final int SAMPLES = 30;

    private final Random random = new Random(3101);
    private final VisionTransformer model = new VisionTransformer(CONFIG, DataType.DOUBLE);
    private final CrossEntropy ce = new CrossEntropy(new Buffers(DataType.DOUBLE));
    private INDArray images;
    private INDArray targets;
    private double loss;

    @BeforeEach
    void forwardAndBackward() {
        model.init(new Random(0));
        // trunc-normal(0.02) weights make most gradients tiny; noise of std 0.3 gives O(1e-2..1) gradients
        perturbAll(model.parameters(), random, 0.3);
        images = gaussian(random, BATCH, CONFIG.channels(), CONFIG.imageSize(), CONFIG.imageSize());
        targets = ce.oneHot(LABELS, CONFIG.numClasses()).dup();
        loss = ce.forward(model.forward(images), targets);
        model.backward(ce.backward());
    }

    private double loss() {
        return ce.forward(model.forward(images), targets);
    }

    @Test
    void everyParameterGradientOfTheWholeModelMatchesFiniteDifferences() {
        assertThat(model.parameters().parameters()).hasSize(4 + 12 * CONFIG.depth() + 4);
        for (Parameter p : model.parameters().parameters()) {
            check(p, this::loss, SAMPLES, random).assertBelow(TOLERANCE);
        }
    }

    @Test
    void backwardOverwritesParameterGradientsInsteadOfAccumulating() {
        // given the gradients of one forward/backward pass
        INDArray first = model.parameters().grads().dup();

        // when the same pass runs again
        double again = ce.forward(model.forward(images), targets);
        model.backward(ce.backward());

        // then loss and gradients are identical, not doubled
        assertThat(again).isEqualTo(loss);
        assertThat(model.parameters().grads().equalsWithEps(first, 0)).isTrue();
    }
}
