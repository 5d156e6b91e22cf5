package dev.qvit.app.task;

import dev.qvit.model.experiment.Variant;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VitConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the experiment panel asks for: a full-precision teacher run or a quantized student run, with its settings.
 * {@link #problems()} names each out-of-range field with the reason, so the panel can show it next to the field.
 *
 * @param kind       teacher (full precision) or student (QAT from the current teacher)
 * @param preset     model size of a teacher run: tiny or small
 * @param bits       2, 3, 4 or 8 (student)
 * @param irm        information rectification on q and k (student)
 * @param irmForm    token or distribution
 * @param dgd        distribution-guided distillation (student)
 * @param lambda     DGD weight
 * @param epochs     passes over the training images
 * @param lr         peak learning rate
 * @param seed       seed of initialisation, shuffling and augmentation
 * @param data       bundled or full
 * @param trainLimit use only the first N training images (0 = all)
 * @param threads    worker replicas
 */
public record RunSettings(Kind kind, String preset, int bits, boolean irm, String irmForm, boolean dgd, double lambda,
                          int epochs, double lr, long seed, String data, int trainLimit, int threads) {

    /** The two runs the workbench starts. */
    public enum Kind { TEACHER, STUDENT }

    /**
     * The workbench's defaults: a 4-bit student with the paper's distribution-form IRM and DGD, two epochs on the
     * bundled data (token IRM, the official code's form, cost about 3 points in the README's ablation).
     */
    public static RunSettings defaults() {
        return new RunSettings(Kind.STUDENT, "tiny", 4, true, "distribution", true, 0.1, 2, 2e-4, 0, "bundled", 0,
                Runtime.getRuntime().availableProcessors());
    }

    public RunSettings withKind(Kind k) {
        return new RunSettings(k, preset, bits, irm, irmForm, dgd, lambda, epochs, lr, seed, data, trainLimit, threads);
    }

    /** Field name -> reason, empty when every setting is acceptable. */
    public Map<String, String> problems() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!preset.equals("tiny") && !preset.equals("small")) {
            p.put("model", "model size must be tiny or small");
        }
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            p.put("bits", "bits must be 2, 3, 4 or 8");
        }
        if (!irmForm.equals("token") && !irmForm.equals("distribution")) {
            p.put("irm", "IRM form must be token or distribution");
        }
        if (!(lambda >= 0) || lambda > 100) {
            p.put("lambda", "λ must be between 0 and 100");
        }
        if (epochs < 1 || epochs > TrainingConfig.MAX_EPOCHS) {
            p.put("epochs", "epochs must be between 1 and " + TrainingConfig.MAX_EPOCHS);
        }
        if (!(lr > 0) || lr > 1) {
            p.put("lr", "learning rate must be in (0, 1]");
        }
        if (trainLimit < 0) {
            p.put("images", "image limit must be 0 (all) or more");
        } else if (trainLimit > 0 && trainLimit < 2) {
            p.put("images", "train on at least 2 images");
        }
        if (threads < 1 || threads > 64) {
            p.put("threads", "threads must be between 1 and 64");
        }
        return p;
    }

    public VitConfig model() {
        return VitConfig.named(preset);
    }

    public QuantizationConfig quantization() {
        return QuantizationConfig.of(bits, irm ? QuantizationConfig.Rectification.parse(irmForm)
                : QuantizationConfig.Rectification.NONE);
    }

    public DistillationSettings distillation() {
        return new DistillationSettings(dgd, lambda, DistributionGuidedDistillation.Norm.HEAD, dgd ? 1 : 10);
    }

    /** The method doc's teacher recipe, or its QAT recipe (lr 2e-4 cosine to 1e-6, no warm-up, no decay). */
    public TrainingConfig training() {
        return kind == Kind.TEACHER
                ? new TrainingConfig(epochs, 128, lr, 1e-5, Math.min(1, epochs), 0.05, 0, seed, true)
                : new TrainingConfig(epochs, 128, lr, Math.min(1e-6, lr), 0, 0, 0, seed, true);
    }

    /**
     * "W4A4 IRM(distribution)+DGD", "W2A2 IRM(token)", "W4A4 DGD", "W4A4 baseline" or "FP teacher tiny": the same
     * format as the command line's run labels, so a run reads the same in the window and in a results table.
     */
    public String label() {
        if (kind == Kind.TEACHER) {
            return "FP teacher " + preset;
        }
        return Variant.of(irm, dgd).runLabel(bits, quantization().rectification());
    }
}
