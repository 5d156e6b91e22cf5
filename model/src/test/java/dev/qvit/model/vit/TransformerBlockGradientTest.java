package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;

import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Pre-norm block x + Attn(LN1(x)), then + MLP(LN2(.)), against central differences, float64. */
class TransformerBlockGradientTest {
    private static final VitConfig CONFIG = new VitConfig(8, 4, 1, 8, 1, 2, 12, 3);
    private static final int BATCH = 2;
    private static final int TOKENS = 5;
    /** Elements per parameter tensor: all of the small ones, a random sample of >= 30 of the matrices. */
    private static final int SAMPLES = 30;

    private final Random random = new Random(2303);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final TransformerBlock block = new TransformerBlock(params, "blocks.0", CONFIG);
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        block.init(random);
        perturbAll(params, random, 0.4);             // LN gains/shifts and biases away from 1 and 0
        gradients = LayerGradients.of(random, gaussian(random, BATCH * TOKENS, CONFIG.dim()),
                x -> block.forward(x, BATCH), block::backward);
    }

    @Test
    void blockInputGradientMatchesFiniteDifferences() {
        gradients.checkInput("block dx").assertBelow(TOLERANCE);
    }

    @Test
    void blockParameterGradientsMatchFiniteDifferences() {
        gradients.assertEveryParameterGradient(params, SAMPLES,
                "blocks.0.norm1.weight", "blocks.0.norm1.bias",
                "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias",
                "blocks.0.norm2.weight", "blocks.0.norm2.bias",
                "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias",
                "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias");
    }
}
