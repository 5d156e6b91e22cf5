package dev.qvit.model.vit;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.perturbAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.GradientCheck;
import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import java.util.function.DoubleSupplier;
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
    private LayerGradients gradients;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        attention.init(random);
        // trunc-normal(0.02) weights give almost uniform attention; std 0.4 makes the softmax path matter
        perturbAll(params, random, 0.4);
        gradients = LayerGradients.of(random, gaussian(random, BATCH * TOKENS, DIM),
                x -> attention.forward(x, BATCH), attention::backward);
    }

    @Test
    void attentionInputGradientMatchesFiniteDifferences() {
        gradients.checkInput("attn dx").assertBelow(TOLERANCE);
    }

    @Test
    void attentionQkvAndProjectionGradientsMatchFiniteDifferences() {
        gradients.assertEveryParameterGradient(params, ALL,
                "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias");
    }

    @Test
    void attentionIsNotNearlyUniformSoTheSoftmaxPathIsExercised() {
        // guards the premise of the checks above: with near-uniform attention a wrong softmax backward
        // could hide below the tolerance
        AttentionTrace trace = attention.attend(gradients.input(), BATCH, true).trace();
        assertThat(trace.attention().maxNumber().doubleValue()).isGreaterThan(0.5);
    }

    @Test
    void extraQueryKeyGradientsGiveTheGradientOfALossOnTheUsedQueriesAndKeys() {
        // given L = sum(out * R) + sum(q * Gq) + sum(k * Gk), a loss on q and k as distillation adds one
        INDArray x = gradients.input();
        MultiHeadSelfAttention.Attended first = attention.attend(x, BATCH, true);
        INDArray r = GradientCheck.gaussian(random, first.output().shape());
        INDArray gq = GradientCheck.gaussian(random, first.trace().usedQuery().shape());
        INDArray gk = GradientCheck.gaussian(random, first.trace().usedKey().shape());
        DoubleSupplier loss = () -> {
            MultiHeadSelfAttention.Attended a = attention.attend(x, BATCH, true);
            return GradientCheck.weightedSum(a.output(), r) + GradientCheck.weightedSum(a.trace().usedQuery(), gq)
                    + GradientCheck.weightedSum(a.trace().usedKey(), gk);
        };
        // when the extra gradients go into backward as its argument
        attention.attend(x, BATCH, true);
        INDArray dx = attention.backward(r, new QueryKeyGradient(gq, gk)).dup();
        // then dL/dx and the qkv gradient match central differences of L, and differ from those without them
        GradientCheck.check("attn dx with q/k loss", x, dx, loss, ALL, random).assertBelow(TOLERANCE);
        GradientCheck.check(params.get("attn.qkv.weight"), loss, ALL, random).assertBelow(TOLERANCE);
        attention.attend(x, BATCH, true);
        INDArray without = attention.backward(r).dup();
        assertThat(without.sub(dx).norm2Number().doubleValue()).isGreaterThan(1e-3 * dx.norm2Number().doubleValue());
    }
}
