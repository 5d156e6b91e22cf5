package dev.qvit.model.experiment;

import dev.qvit.records.EpochMetrics;
import dev.qvit.records.BlockStatistics;
import java.util.List;

/**
 * One trained and measured ablation cell.
 *
 * @param testAccuracy    after the last epoch (0..1)
 * @param distillation    L_DGD (sum over layers, heads, q and k) of the last training step where it was measured
 * @param blocks          Fig. 1 statistics of teacher vs this student on the probe images
 */
public record CellResult(int bits, String variant, long seed, String irmForm, double lambda, double testAccuracy,
                         double distillation, List<EpochMetrics> epochs, List<BlockStatistics> blocks,
                         double seconds) {

    public CellResult {
        epochs = List.copyOf(epochs);
        blocks = List.copyOf(blocks);
    }

    public String key() {
        return "w%d-%s-seed%d".formatted(bits, variant, seed);
    }
}
