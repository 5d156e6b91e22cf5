package dev.qvit.model.experiment;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.records.AblationRow;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.LayerDiagnostics;
import dev.qvit.records.PairedDifference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The ablation table with its statistics: per bit width and variant the mean and spread of the test accuracy over
 * seeds, and the difference to the same bit width's baseline as a paired difference over the seeds both have, with
 * the 95 % confidence interval of Student's t on the per-seed differences.
 */
public final class AblationStatistics {
    /** Two-sided confidence of the intervals. */
    public static final double CONFIDENCE = 0.95;

    private AblationStatistics() {
    }

    /** Rows ordered by bits (high to low), then variant (base, IRM, DGD, IRM+DGD). */
    public static List<AblationRow> rows(List<CellResult> cells, double teacherAccuracy, ModelConfig model,
                                         int embeddingBits) {
        Map<String, List<CellResult>> groups = new TreeMap<>();
        for (CellResult c : cells) {
            groups.computeIfAbsent(groupKey(c), k -> new ArrayList<>()).add(c);
        }
        List<AblationRow> rows = new ArrayList<>();
        for (List<CellResult> group : groups.values()) {
            group.sort(Comparator.comparingLong(CellResult::seed));
            CellResult first = group.get(0);
            Variant variant = Variant.parse(first.variant());
            List<CellResult> baseline = cells.stream().filter(c -> c.bits() == first.bits()
                    && Variant.parse(c.variant()) == Variant.BASE).toList();
            rows.add(new AblationRow(first.bits(), AblationTable.variantOf(first),
                    group.stream().map(CellResult::seed).toList(),
                    mean(group, CellResult::testAccuracy), std(group, CellResult::testAccuracy),
                    variant == Variant.BASE ? null : paired(group, baseline),
                    mean(group, CellResult::testAccuracy) - teacherAccuracy,
                    perBlock(group, BlockStatistics::queryStdRatio), perBlock(group, BlockStatistics::keyStdRatio),
                    ModelCosts.of(model, new QuantizationConfig(first.bits(), QuantizationConfig.Rectification.NONE,
                            embeddingBits)),
                    meanDiagnostic(group, LayerDiagnostics::oscillation), meanDiagnostic(group, LayerDiagnostics::sqnrDb)));
        }
        return rows;
    }

    /** "96|1|irm+dgd|distribution": sorts bits descending, then variant. */
    private static String groupKey(CellResult c) {
        return "%03d|%d|%s".formatted(100 - c.bits(), Variant.parse(c.variant()).ordinal(), c.irmForm());
    }

    /**
     * The paired difference of {@code variant} minus {@code baseline} accuracy over the seeds both have; null when
     * they share none.
     */
    public static PairedDifference paired(List<CellResult> variant, List<CellResult> baseline) {
        List<Double> d = new ArrayList<>();
        for (CellResult v : variant) {
            baseline.stream().filter(b -> b.seed() == v.seed()).findFirst()
                    .ifPresent(b -> d.add(v.testAccuracy() - b.testAccuracy()));
        }
        return d.isEmpty() ? null : paired(d.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Mean, sample std and the t interval of the mean of {@code differences}. */
    public static PairedDifference paired(double[] differences) {
        int n = differences.length;
        double mean = 0;
        for (double x : differences) {
            mean += x / n;
        }
        if (n < 2) {
            return new PairedDifference(n, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double x : differences) {
            ss += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(ss / (n - 1));
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
        double half = t * std / Math.sqrt(n);
        return new PairedDifference(n, mean, std, mean - half, mean + half);
    }

    private static List<Double> perBlock(List<CellResult> group, ToDoubleFunction<BlockStatistics> value) {
        int blocks = group.stream().mapToInt(c -> c.blocks().size()).min().orElse(0);
        List<Double> out = new ArrayList<>();
        for (int l = 0; l < blocks; l++) {
            int layer = l;
            out.add(mean(group, c -> value.applyAsDouble(c.blocks().get(layer))));
        }
        return out;
    }

    private static double meanDiagnostic(List<CellResult> group, ToDoubleFunction<LayerDiagnostics> value) {
        return group.stream().flatMap(c -> c.diagnostics().stream()).mapToDouble(value)
                .filter(Double::isFinite).average().orElse(Double.NaN);
    }

    static double mean(List<CellResult> group, ToDoubleFunction<CellResult> value) {
        return group.stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    static double std(List<CellResult> group, ToDoubleFunction<CellResult> value) {
        if (group.size() < 2) {
            return Double.NaN;
        }
        double m = mean(group, value);
        double ss = group.stream().mapToDouble(c -> Math.pow(value.applyAsDouble(c) - m, 2)).sum();
        return Math.sqrt(ss / (group.size() - 1));
    }
}
