package dev.qvit.model.experiment;

import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.TrainingConfig;
import java.util.List;

/**
 * The grid of an ablation: bits x variants x seeds, each cell trained with the same QAT recipe from the same
 * teacher. IRM form, lambda and the DGD normalisation apply to the variants that use them.
 */
public record AblationPlan(List<Integer> bits, List<Variant> variants, List<Long> seeds, TrainingConfig training,
                           QuantizationConfig.Rectification irmForm, double lambda,
                           DistributionGuidedDistillation.Norm dgdNorm, int probeImages) {

    public AblationPlan {
        bits = List.copyOf(bits);
        variants = List.copyOf(variants);
        seeds = List.copyOf(seeds);
        if (bits.isEmpty() || variants.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("an ablation needs at least one bit width, variant and seed");
        }
        bits.forEach(b -> QuantizationConfig.of(b, QuantizationConfig.Rectification.NONE));
        if (irmForm == QuantizationConfig.Rectification.NONE) {
            throw new IllegalArgumentException("the IRM form of the ablation must be token or distribution");
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
    }

    public int cells() {
        return bits.size() * variants.size() * seeds.size();
    }
}
