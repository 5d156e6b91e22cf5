package dev.qvit.model.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import java.util.Map;

/**
 * DGD in the QAT objective: on (the gradient of lambda * L_DGD joins the task loss) or off (L_DGD still measured
 * every {@code diagnosticEvery} steps, without gradient, so base and IRM runs show the same curves).
 */
public record DistillationSettings(boolean enabled, double lambda, DistributionGuidedDistillation.Norm norm,
                                   @JsonIgnore int diagnosticEvery) {

    /** How often L_DGD is measured, without gradient, when DGD is off. */
    public static final int DIAGNOSTIC_EVERY = 10;
    /** The largest lambda a run may ask for. */
    public static final double MAX_LAMBDA = 100;

    public DistillationSettings {
        if (diagnosticEvery < 1) {
            throw new IllegalArgumentException("diagnosticEvery must be >= 1");
        }
        if (norm == null) {
            throw new IllegalArgumentException("the DGD normalisation must be head or layer");
        }
    }

    /** DGD on (measured and optimised every step) or off (measured every {@link #DIAGNOSTIC_EVERY} steps). */
    @JsonCreator
    public static DistillationSettings of(@JsonProperty("enabled") boolean enabled, @JsonProperty("lambda") double lambda,
                                          @JsonProperty("norm") DistributionGuidedDistillation.Norm norm) {
        return new DistillationSettings(enabled, lambda, norm, enabled ? 1 : DIAGNOSTIC_EVERY);
    }

    /** The method doc's default: lambda 0.1, per-head normalisation. */
    public static DistillationSettings on(double lambda) {
        return of(true, lambda, DistributionGuidedDistillation.Norm.HEAD);
    }

    /** Setting name (lambda) -> what is wrong with it; empty when the settings can run. */
    public Map<String, String> problems() {
        return lambda >= 0 && lambda <= MAX_LAMBDA ? Map.of()
                : Map.of("lambda", "λ (the DGD weight) must be between 0 and " + (int) MAX_LAMBDA + ", got " + lambda);
    }
}
