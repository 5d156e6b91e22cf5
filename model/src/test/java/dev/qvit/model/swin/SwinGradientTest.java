package dev.qvit.model.swin;

import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Swin's layers against central differences, float64: window attention with and without shift and mask (its
 * relative position bias table included), patch merging, and the whole model with mean cross-entropy.
 */
class SwinGradientTest {
    /** 8x8 images, patch 2: a 4x4 map of 2x2 windows (4 per image), then one 2x2 window after merging. */
    private static final SwinConfig CONFIG = new SwinConfig(8, 2, 1, 4, List.of(2, 1), List.of(2, 2), 2, 2, 3);
    private static final int BATCH = 2;
    private static final int SAMPLES = 30;
    private final Random random = new Random(1703);

    @Test
    void windowAttentionBlockWithoutShift() {
        checkBlock(0);
    }

    @Test
    void shiftedWindowAttentionBlockWithItsMask() {
        assertThat(CONFIG.shift(0, 1)).isEqualTo(1);
        checkBlock(1);
    }

    private void checkBlock(int index) {
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        SwinBlock block = new SwinBlock(params, "b", CONFIG, 0, index, null);
        params.allocate();
        block.init(random);
        perturbAll(params, random, 0.4);
        int tokens = CONFIG.resolution(0) * CONFIG.resolution(0);
        LayerGradients gradients = LayerGradients.of(random, gaussian(random, (long) BATCH * tokens, CONFIG.dim(0)),
                x -> block.forward(x, BATCH), block::backward);
        gradients.checkInput("block dx").assertBelow(TOLERANCE);
        gradients.assertEveryParameterGradient(params, SAMPLES, "b.norm1.weight", "b.norm1.bias",
                "b.attn.relative_position_bias_table", "b.attn.qkv.weight", "b.attn.qkv.bias",
                "b.attn.proj.weight", "b.attn.proj.bias", "b.norm2.weight", "b.norm2.bias",
                "b.mlp.fc1.weight", "b.mlp.fc1.bias", "b.mlp.fc2.weight", "b.mlp.fc2.bias");
    }

    @Test
    void patchMerging() {
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        PatchMerging merging = new PatchMerging(params, "m", 4, 3, null);
        params.allocate();
        merging.init(random);
        perturbAll(params, random, 0.4);
        LayerGradients gradients = LayerGradients.of(random, gaussian(random, BATCH * 16L, 3),
                x -> merging.forward(x, true), merging::backward);
        gradients.checkInput("merging dx").assertBelow(TOLERANCE);
        gradients.assertEveryParameterGradient(params, SAMPLES, "m.norm.weight", "m.norm.bias", "m.reduction.weight");
    }

    @Test
    void everyParameterOfTheWholeModel() {
        SwinTransformer model = new SwinTransformer(CONFIG, DataType.DOUBLE);
        model.init(new Random(0));
        perturbAll(model.parameters(), random, 0.3);
        CrossEntropy ce = new CrossEntropy(new Buffers(DataType.DOUBLE));
        INDArray images = gaussian(random, BATCH, 1, 8, 8);
        INDArray targets = ce.oneHot(new int[] {2, 0}, 3).dup();
        ce.forward(model.forward(images), targets);
        model.backward(ce.backward());
        // patch embedding 4, blocks 13 each, merging 3, norm and head 4
        assertThat(model.parameters().parameters()).hasSize(4 + 13 * 3 + 3 + 4);
        for (Parameter p : model.parameters().parameters()) {
            check(p, () -> ce.forward(model.forward(images), targets), SAMPLES, random).assertBelow(TOLERANCE);
        }
    }
}
