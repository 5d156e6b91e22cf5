package dev.qvit.model.train;

import dev.qvit.model.quant.DistributionGuidedDistillation;

/**
 * DGD in the QAT objective: on (the gradient of lambda * L_DGD joins the task loss) or off (L_DGD still measured
 * every {@code diagnosticEvery} steps, without gradient, so base and IRM runs show the same curves).
 */
public record DistillationSettings(boolean enabled, double lambda, DistributionGuidedDistillation.Norm norm,
                                   int diagnosticEvery) {

    public DistillationSettings {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a finite number >= 0, got " + lambda);
        }
        if (diagnosticEvery < 1) {
            throw new IllegalArgumentException("diagnosticEvery must be >= 1");
        }
    }

    /** The method doc's default: lambda 0.1, per-head normalisation. */
    public static DistillationSettings on(double lambda) {
        return new DistillationSettings(true, lambda, DistributionGuidedDistillation.Norm.HEAD, 1);
    }
}
