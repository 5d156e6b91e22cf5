package dev.qvit.model.experiment;

import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The grid of an ablation: bits x variants x seeds, each cell a student of {@code base} (same teacher, data and QAT
 * recipe) with its own bits, IRM, DGD and seed. The IRM form applies to the variants with IRM; the base spec's lambda
 * and DGD normalisation to those with DGD.
 *
 * @param base        the student every cell varies; its bits, IRM and DGD on/off are replaced by the cell's
 * @param irmForm     token or distribution
 * @param probeImages test images for each cell's q/k statistics
 */
public record AblationPlan(ExperimentSpec base, List<Integer> bits, List<Variant> variants, List<Long> seeds,
                           QuantizationConfig.Rectification irmForm, int probeImages) {

    /** Test images whose q/k statistics each cell reports, unless a plan says otherwise. */
    public static final int DEFAULT_PROBE_IMAGES = 256;

    /** One cell of the grid and the spec that trains it. */
    public record Cell(int bits, Variant variant, long seed, ExperimentSpec spec) {
        /** "w4-irm+dgd-seed1": the cell's file name. */
        public String key() {
            return "w%d-%s-seed%d".formatted(bits, variant.label(), seed);
        }
    }

    public AblationPlan {
        bits = List.copyOf(bits);
        variants = List.copyOf(variants);
        seeds = List.copyOf(seeds);
        if (bits.isEmpty() || variants.isEmpty() || seeds.isEmpty()) {
            throw new InvalidExperimentException("an ablation needs at least one bit width, variant and seed");
        }
        if (irmForm == QuantizationConfig.Rectification.NONE) {
            throw new InvalidExperimentException("the IRM form of the ablation must be token or distribution");
        }
        if (base.kind() != ExperimentSpec.Kind.STUDENT) {
            throw new InvalidExperimentException("an ablation varies a student, not a teacher run");
        }
        base.requireValid();
        for (int b : bits) {
            new Cell(b, Variant.BASE, 0, cellSpec(base, irmForm, b, Variant.BASE, 0)).spec().requireValid();
        }
        if (probeImages < 1) {
            throw new InvalidExperimentException("the q/k statistics need at least one probe image, got " + probeImages);
        }
    }

    /** Every cell in grid order: bits, then variants, then seeds. */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (int b : bits) {
            for (Variant v : variants) {
                for (long s : seeds) {
                    out.add(new Cell(b, v, s, cellSpec(base, irmForm, b, v, s)));
                }
            }
        }
        return out;
    }

    private static ExperimentSpec cellSpec(ExperimentSpec base, QuantizationConfig.Rectification irmForm, int bits,
                                           Variant v, long seed) {
        QuantizationConfig q = new QuantizationConfig(bits, v.rectification() ? irmForm
                : QuantizationConfig.Rectification.NONE, base.quantization().embeddingBits());
        DistillationSettings d = DistillationSettings.of(v.distillation(), base.distillation().lambda(),
                base.distillation().norm());
        return base.withStudent(q, d).withSeed(seed);
    }

    /** "bits [4, 2], variants [base, irm], seeds [0, 1], IRM form distribution, λ 0.1, 3 epochs, full 20000 train images". */
    public String describe() {
        return "bits %s, variants %s, seeds %s, IRM form %s, λ %s, %d epochs, %s".formatted(bits,
                variants.stream().map(Variant::label).toList(), seeds,
                irmForm.name().toLowerCase(java.util.Locale.ROOT), lambda(), training().epochs(),
                base.data().source() + (base.data().trainLimit() > 0 ? " " + base.data().trainLimit()
                        + " train images" : ""));
    }

    public double lambda() {
        return base.distillation().lambda();
    }

    public DistributionGuidedDistillation.Norm dgdNorm() {
        return base.distillation().norm();
    }

    public TrainingConfig training() {
        return base.training();
    }
}
