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

/** Multi-head self-attention (2 images, 5 tokens, D 8, 2 heads) against central differences, float64. */
class MultiHeadSelfAttentionGradientTest {
    private static final int BATCH = 2;
    private static final int TOKENS = 5;
    private static final int DIM = 8;
    private static final int HEADS = 2;

    private final Random random = new Random(2101);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final MultiHeadSelfAttention attention = new MultiHeadSelfAttention(params, "attn", DIM, HEADS);
    private INDArray x;
    private INDArray r;
    private INDArray dx;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        attention.init(random);
        // trunc-normal(0.02) weights give almost uniform attention; std 0.4 makes the softmax path matter
        perturbAll(params, random, 0.4);
        x = gaussian(random, BATCH * TOKENS, DIM);
        r = gaussian(random, BATCH * TOKENS, DIM);
        attention.forward(x, BATCH);
        dx = attention.backward(r).dup();
    }

    private double loss() {
        return weightedSum(attention.forward(x, BATCH), r);
    }

    @Test
    void attentionInputGradientMatchesFiniteDifferences() {
        check("attn dx", x, dx, this::loss, ALL, random).assertBelow(TOLERANCE);
    }

    @Test
    void attentionQkvAndProjectionGradientsMatchFiniteDifferences() {
        assertThat(params.parameters()).extracting(Parameter::name)
                .containsExactly("attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias");
        for (Parameter p : params.parameters()) {
            check(p, this::loss, ALL, random).assertBelow(TOLERANCE);
        }
    }

    @Test
    void attentionIsNotNearlyUniformSoTheSoftmaxPathIsExercised() {
        // guards the premise of the checks above: with near-uniform attention a wrong softmax backward
        // could hide below the tolerance
        attention.forward(x, BATCH);
        assertThat(attention.lastAttention().maxNumber().doubleValue()).isGreaterThan(0.5);
    }
}
