package dev.qvit.records;

import java.util.List;

/**
 * One row of the ablation table: a variant at one bit width, over the seeds that finished.
 *
 * @param variant          "baseline", "IRM(distribution)", "DGD" or "IRM(distribution)+DGD"
 * @param seeds            seeds that finished
 * @param accuracy         mean test accuracy (0..1)
 * @param accuracyStd      sample standard deviation over seeds (NaN with one seed)
 * @param vsBaseline       the paired difference to the baseline of the same bit width (null for the baseline
 *                         itself or when they share no seed)
 * @param vsTeacher        mean accuracy minus the teacher's
 * @param queryStdRatio    σS/σT of the quantized queries per block, mean over seeds
 * @param keyStdRatio      the same for keys
 * @param cost             size and BOPs of this configuration
 * @param weightOscillation mean over the quantized weights of the flip-back share per step (NaN if not recorded)
 * @param meanSqnrDb       mean SQNR over the quantized tensors (NaN if not recorded)
 */
public record AblationRow(int bits, String variant, List<Long> seeds, double accuracy, double accuracyStd,
                          PairedDifference vsBaseline, double vsTeacher, List<Double> queryStdRatio,
                          List<Double> keyStdRatio, ModelCost cost, double weightOscillation, double meanSqnrDb) {

    public AblationRow {
        seeds = List.copyOf(seeds);
        queryStdRatio = List.copyOf(queryStdRatio);
        keyStdRatio = List.copyOf(keyStdRatio);
    }

    /** "W4A4 IRM(distribution)+DGD". */
    public String label() {
        return "W" + bits + "A" + bits + " " + variant;
    }
}
