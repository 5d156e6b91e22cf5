package dev.qvit.model.experiment;

import dev.qvit.records.BlockHistograms;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.LayerDiagnostics;
import java.util.List;

/**
 * One trained and measured ablation cell.
 *
 * @param testAccuracy    after the last epoch (0..1)
 * @param distillation    L_DGD (sum over layers, heads, q and k) of the last training step where it was measured
 * @param blocks          Fig. 1 statistics of teacher vs this student on the probe images
 * @param histograms      Fig. 1 histograms of this student's quantized q and k per block (empty in older cells)
 * @param inputHistograms the same of the q and k entering the quantizers (after IRM where the cell has it)
 * @param teacherHistograms the same of the teacher on the same images
 * @param diagnostics     SQNR and weight oscillation per quantized tensor (empty in older cells)
 * @param session         the session the cell ran in (null for cells of the old file layout)
 * @param measurement     the version of these measurements ({@link #MEASUREMENT}; 0 in older cells)
 */
public record CellResult(int bits, String variant, long seed, String irmForm, double lambda, double testAccuracy,
                         double distillation, List<EpochMetrics> epochs, List<BlockStatistics> blocks,
                         double seconds, List<BlockHistograms> histograms, List<BlockHistograms> inputHistograms,
                         List<BlockHistograms> teacherHistograms, List<LayerDiagnostics> diagnostics, String session,
                         int measurement) {
    /** What a cell measured today: 2 added the quantizers' input histograms. */
    public static final int MEASUREMENT = 2;

    public CellResult {
        epochs = List.copyOf(epochs);
        blocks = List.copyOf(blocks);
        histograms = histograms == null ? List.of() : List.copyOf(histograms);
        inputHistograms = inputHistograms == null ? List.of() : List.copyOf(inputHistograms);
        teacherHistograms = teacherHistograms == null ? List.of() : List.copyOf(teacherHistograms);
        diagnostics = diagnostics == null ? List.of() : List.copyOf(diagnostics);
    }

    /** A cell measured without histograms, diagnostics or a session. */
    public CellResult(int bits, String variant, long seed, String irmForm, double lambda, double testAccuracy,
                      double distillation, List<EpochMetrics> epochs, List<BlockStatistics> blocks, double seconds) {
        this(bits, variant, seed, irmForm, lambda, testAccuracy, distillation, epochs, blocks, seconds, null, null,
                null, null, null, 0);
    }

    public String key() {
        return "w%d-%s-seed%d".formatted(bits, variant, seed);
    }
}
