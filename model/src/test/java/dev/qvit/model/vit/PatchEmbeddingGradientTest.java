package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;

import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Patch embedding of 8x8 images with 4x4 patches (4 patches + cls = 5 tokens, D 8) against central differences
 * of L = sum(tokens * R), float64. Its backward sets parameter gradients only.
 */
class PatchEmbeddingGradientTest {
    private static final VitConfig CONFIG = new VitConfig(8, 4, 1, 8, 1, 2, 12, 3);
    private static final int BATCH = 2;

    private final Random random = new Random(2404);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final PatchEmbedding embedding = new PatchEmbedding(params, CONFIG);
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        embedding.init(random);
        perturbAll(params, random, 0.4);
        gradients = LayerGradients.parametersOnly(random,
                gaussian(random, BATCH, CONFIG.channels(), CONFIG.imageSize(), CONFIG.imageSize()),
                embedding::forward, embedding::backward);
    }

    @Test
    void patchEmbeddingParameterGradientsMatchFiniteDifferences() {
        gradients.assertEveryParameterGradient(params, ALL, "patch_embed.weight", "patch_embed.bias", "cls_token",
                "pos_embed");
    }
}
