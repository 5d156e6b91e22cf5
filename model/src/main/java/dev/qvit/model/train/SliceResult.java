package dev.qvit.model.train;

import java.util.Arrays;

/**
 * What one worker reports for its slice of a batch: summed objective and task loss, correct predictions, images,
 * and (QAT) the DGD terms per layer and head for q then k, each summed over the slice's images.
 */
public record SliceResult(double lossSum, double taskLossSum, int correct, int count, double[] distillationSums) {

    public SliceResult {
        distillationSums = distillationSums.clone();
    }

    public SliceResult(double lossSum, int correct, int count) {
        this(lossSum, lossSum, correct, count, new double[0]);
    }

    @Override
    public double[] distillationSums() {
        return distillationSums.clone();
    }

    public static SliceResult sum(Iterable<SliceResult> parts) {
        double loss = 0;
        double task = 0;
        int correct = 0;
        int count = 0;
        double[] distillation = new double[0];
        for (SliceResult r : parts) {
            loss += r.lossSum;
            task += r.taskLossSum;
            correct += r.correct;
            count += r.count;
            if (r.distillationSums.length > 0) {
                if (distillation.length == 0) {
                    distillation = new double[r.distillationSums.length];
                }
                for (int i = 0; i < distillation.length; i++) {
                    distillation[i] += r.distillationSums[i];
                }
            }
        }
        return new SliceResult(loss, task, correct, count, distillation);
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double meanTaskLoss() {
        return count == 0 ? Double.NaN : taskLossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** Per-image means of the distillation terms (empty when none were computed). */
    public double[] meanDistillation() {
        return count == 0 ? new double[0] : Arrays.stream(distillationSums).map(v -> v / count).toArray();
    }
}
