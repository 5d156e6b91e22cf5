package dev.qvit.model.experiment;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.records.AblationRow;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.PairedDifference;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** Ablation results as CSV (one row per cell, one per cell and block) and as a markdown report. */
public final class AblationTable {
    private AblationTable() {
    }

    public static String cellsCsv(List<CellResult> cells) {
        StringBuilder out = new StringBuilder("label,bits,variant,seed,irm_form,lambda,test_accuracy,dgd_loss,seconds\n");
        for (CellResult c : cells) {
            out.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%s,%s,%.4f,%.4f,%.0f%n", label(c), c.bits(), c.variant(),
                    c.seed(), c.irmForm(), c.lambda(), c.testAccuracy(), c.distillation(), c.seconds()));
        }
        return out.toString();
    }

    public static String blocksCsv(List<CellResult> cells) {
        StringBuilder out = new StringBuilder("label,bits,variant,seed,block,q_mean_teacher,q_std_teacher,q_mean_student,"
                + "q_std_student,q_std_rectified,q_std_quantized,q_entropy_bits,k_std_teacher,k_std_quantized,"
                + "k_entropy_bits\n");
        for (CellResult c : cells) {
            for (BlockStatistics b : c.blocks()) {
                out.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.4f,%.4f,%.3f%n",
                        label(c), c.bits(), c.variant(), c.seed(), b.layer(), b.teacherQuery().mean(), b.teacherQuery().std(),
                        b.studentQuery().mean(), b.studentQuery().std(), b.rectifiedQuery().std(),
                        b.quantizedQuery().std(), b.queryEntropyBits(), b.teacherKey().std(), b.quantizedKey().std(),
                        b.keyEntropyBits()));
            }
        }
        return out.toString();
    }

    /**
     * The table with its statistics, as the studio shows it: per bits and variant the accuracy over seeds, the
     * paired difference to the baseline with its 95 % interval (bold where it excludes 0), the difference to the
     * teacher, σS/σT of q and k per block, size and BOPs.
     */
    public static String statisticsMarkdown(List<AblationRow> rows, double teacherAccuracy, String recipe) {
        StringBuilder out = new StringBuilder("# Q-ViT ablation\n\n").append(recipe).append("\n\n");
        out.append(String.format(Locale.ROOT, "Full-precision teacher: %.2f %% test accuracy.%n%n", 100 * teacherAccuracy));
        out.append("| run | seeds | accuracy % | Δ vs baseline (95 % CI) | Δ vs FP | σq S/T per block | σk S/T per block "
                + "| weights KB | activations KB | GBOPs | oscillation ‰ | SQNR dB |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (AblationRow r : rows) {
            out.append("| ").append(r.label()).append(" | ").append(r.seeds().size()).append(" | ")
                    .append(meanStd(100 * r.accuracy(), 100 * r.accuracyStd())).append(" | ")
                    .append(difference(r.vsBaseline())).append(" | ")
                    .append(String.format(Locale.ROOT, "%+.2f", 100 * r.vsTeacher())).append(" | ")
                    .append(joined(r.queryStdRatio())).append(" | ").append(joined(r.keyStdRatio())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f | %.1f | %.3f | %s | %s |%n",
                            r.cost().weightBits() / 8 / 1e3, r.cost().activationKilobytes(), r.cost().bops() / 1e9,
                            Double.isNaN(r.weightOscillation()) ? "–"
                                    : String.format(Locale.ROOT, "%.3f", 1000 * r.weightOscillation()),
                            Double.isNaN(r.meanSqnrDb()) ? "–" : String.format(Locale.ROOT, "%.1f", r.meanSqnrDb())));
        }
        out.append("\nAccuracy: mean ± sample std over seeds. Δ vs baseline: mean of the per-seed differences to the "
                + "baseline of the same bits on the seeds both have, in points, with the 95 % interval of Student's t "
                + "(n - 1 degrees of freedom); **bold** where the interval excludes 0. BOPs: multiply-adds x weight "
                + "bits x activation bits of every matrix product of one image. Oscillation: integer weight codes "
                + "flipping back per weight and step over the last epoch. SQNR: mean over the quantized tensors "
                + "(weights, q, k, attention) against the teacher's.\n");
        return out.toString();
    }

    /** One line per row of {@link #statisticsMarkdown}. */
    public static String rowsCsv(List<AblationRow> rows) {
        StringBuilder out = new StringBuilder("bits,variant,seeds,accuracy,accuracy_std,delta_baseline,ci_low,ci_high,"
                + "ci_excludes_zero,delta_teacher,q_std_ratio,k_std_ratio,weight_bits,activation_bits,bops,"
                + "weight_oscillation,mean_sqnr_db\n");
        for (AblationRow r : rows) {
            PairedDifference d = r.vsBaseline();
            out.append(String.format(Locale.ROOT, "%d,%s,%d,%.6f,%.6f,%s,%s,%s,%s,%.6f,%s,%s,%.0f,%.0f,%.0f,%.6g,%.4f%n",
                    r.bits(), r.variant(), r.seeds().size(), r.accuracy(), r.accuracyStd(),
                    d == null ? "" : String.format(Locale.ROOT, "%.6f", d.mean()),
                    d == null ? "" : String.format(Locale.ROOT, "%.6f", d.low()),
                    d == null ? "" : String.format(Locale.ROOT, "%.6f", d.high()),
                    d == null ? "" : d.excludesZero(), r.vsTeacher(), joinedPlain(r.queryStdRatio()),
                    joinedPlain(r.keyStdRatio()), r.cost().weightBits(), r.cost().activationBits(), r.cost().bops(),
                    r.weightOscillation(), r.meanSqnrDb()));
        }
        return out.toString();
    }

    /** "+0.42 [−0.10, +0.95]" in points, bold where the interval excludes 0; "–" without a pair. */
    public static String difference(PairedDifference d) {
        if (d == null) {
            return "–";
        }
        if (d.n() < 2) {
            return String.format(Locale.ROOT, "%+.2f (1 seed)", 100 * d.mean());
        }
        String text = String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", 100 * d.mean(), 100 * d.low(), 100 * d.high());
        return d.excludesZero() ? "**" + text + "**" : text;
    }

    private static String meanStd(double mean, double std) {
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.2f", mean)
                : String.format(Locale.ROOT, "%.2f ± %.2f", mean, std);
    }

    private static String joined(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(" "));
    }

    private static String joinedPlain(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.4f", v)).collect(Collectors.joining(";"));
    }

    /** σ and code entropy of q and k per block and run, mean over seeds. */
    public static String blocksMarkdown(List<CellResult> cells) {
        StringBuilder out = new StringBuilder();
        out.append("## Queries and keys per block (mean over seeds)\n\n");
        out.append("σ: standard deviation over all heads, tokens and channels of the probe images; S = student after its "
                + "quantizer, T = teacher; H: entropy of the quantized codes in bits.\n\n");
        out.append("| run | block | σ_q T | σ_q S | σ_q S/T | H(q) | σ_k T | σ_k S | H(k) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        Map<String, List<CellResult>> groups = new TreeMap<>(cells.stream().collect(Collectors.groupingBy(
                c -> "%02d|%d|%s".formatted(100 - c.bits(), Variant.parse(c.variant()).ordinal(), label(c)))));
        for (List<CellResult> group : groups.values()) {
            int blocks = group.get(0).blocks().size();
            for (int l = 0; l < blocks; l++) {
                int layer = l;
                out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.2f | %.2f | %.3f | %.3f | %.2f |%n",
                        label(group.get(0)), l,
                        mean(group, c -> c.blocks().get(layer).teacherQuery().std()),
                        mean(group, c -> c.blocks().get(layer).quantizedQuery().std()),
                        mean(group, c -> c.blocks().get(layer).queryStdRatio()),
                        mean(group, c -> c.blocks().get(layer).queryEntropyBits()),
                        mean(group, c -> c.blocks().get(layer).teacherKey().std()),
                        mean(group, c -> c.blocks().get(layer).quantizedKey().std()),
                        mean(group, c -> c.blocks().get(layer).keyEntropyBits())));
            }
        }
        return out.toString();
    }

    /** The cell's run label, e.g. "W4A4 IRM(distribution)+DGD" (the IRM form only where the variant uses IRM). */
    public static String label(CellResult c) {
        return Variant.parse(c.variant()).runLabel(c.bits(), QuantizationConfig.Rectification.parse(c.irmForm()));
    }

    static String variantOf(CellResult c) {
        return Variant.parse(c.variant()).describe(QuantizationConfig.Rectification.parse(c.irmForm()));
    }

    static double mean(List<CellResult> group, ToDoubleFunction<CellResult> value) {
        return group.stream().mapToDouble(value).average().orElse(Double.NaN);
    }
}
