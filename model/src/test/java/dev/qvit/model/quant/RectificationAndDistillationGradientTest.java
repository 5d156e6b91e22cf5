package dev.qvit.model.quant;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.fillGaussian;
import static dev.qvit.model.GradientCheck.gaussian;

import dev.qvit.model.LayerGradients;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** IRM (both forms) and DGD against central differences in float64; both are smooth, unlike the quantizers. */
class RectificationAndDistillationGradientTest {
    private static final long[] SHAPE = {3, 2, 5, 4};   // [B, H, N, d]
    private final Random random = new Random(77);

    @Test
    void distributionIrmGradientsMatchFiniteDifferences() {
        // given per-head gamma/beta away from the identity and off-centre inputs
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        DistributionRectification irm = new DistributionRectification(params, "norm_q", 2);
        params.allocate();
        fillGaussian(irm.gamma().value(), random, 1.0, 0.4);
        fillGaussian(irm.beta().value(), random, 0.0, 0.4);
        // when
        LayerGradients gradients = LayerGradients.of(random, gaussian(random, 0.5, 1.7, SHAPE),
                x -> irm.forward(x, true), irm::backward);
        // then dx, gamma and beta match; the running statistics neither get a gradient nor change the training
        // forward (both sides 0)
        gradients.checkInput("irm dx").assertBelow(TOLERANCE);
        gradients.assertEveryParameterGradient(params, ALL,
                "norm_q.weight", "norm_q.bias", "norm_q.running_mean", "norm_q.running_var");
    }

    @Test
    void tokenIrmGradientsMatchFiniteDifferences() {
        // given gamma/beta of size d, shared by the heads, away from 1 and 0
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        TokenRectification irm = new TokenRectification(params, "norm_k", 4);
        params.allocate();
        fillGaussian(irm.norm().gamma().value(), random, 1.0, 0.4);
        fillGaussian(irm.norm().beta().value(), random, 0.0, 0.4);
        // when
        LayerGradients gradients = LayerGradients.of(random, gaussian(random, -0.3, 1.2, SHAPE),
                x -> irm.forward(x, true), irm::backward);
        // then dx, gamma and beta match
        gradients.checkInput("token irm dx").assertBelow(TOLERANCE);
        gradients.assertEveryParameterGradient(params, ALL, "norm_k.weight", "norm_k.bias");
    }

    @Test
    void headNormalisedDistillationGradientMatchesFiniteDifferences() {
        checkDistillation(DistributionGuidedDistillation.Norm.HEAD);
    }

    @Test
    void layerNormalisedDistillationGradientMatchesFiniteDifferences() {
        checkDistillation(DistributionGuidedDistillation.Norm.LAYER);
    }

    private void checkDistillation(DistributionGuidedDistillation.Norm norm) {
        // given student and teacher queries that differ
        DistributionGuidedDistillation dgd = new DistributionGuidedDistillation(norm, new Buffers(DataType.DOUBLE));
        INDArray student = gaussian(random, SHAPE);
        INDArray teacher = gaussian(random, SHAPE);
        INDArray gradient = student.ulike();
        // when the loss is computed with weight 0.7
        dgd.compute("q", student, teacher, 0.7, gradient);
        INDArray analytic = gradient.dup();
        // then 0.7 * dLoss/dStudent matches central differences
        check("dgd " + norm, student, analytic, () -> 0.7 * dgd.compute("q", student, teacher, 0.7, null).total(), ALL,
                random).assertBelow(TOLERANCE);
    }
}
