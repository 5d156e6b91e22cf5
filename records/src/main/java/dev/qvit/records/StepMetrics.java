package dev.qvit.records;

/**
 * One optimisation step as the UI and the terminal see it.
 *
 * @param step           0-based global step
 * @param totalSteps     steps of the whole run
 * @param epoch          0-based epoch
 * @param loss           training objective of this batch (task loss + lambda * DGD when distilling)
 * @param taskLoss       classification part of the objective
 * @param accuracy       training accuracy of this batch (0..1)
 * @param learningRate   learning rate used
 * @param gradientNorm   global L2 norm of the gradient before clipping
 * @param imagesPerSecond throughput over the run so far
 * @param elapsedSeconds wall time since the run started
 * @param distillation   DGD per layer and head (null when not computed this step)
 */
public record StepMetrics(long step, long totalSteps, int epoch, double loss, double taskLoss, double accuracy,
                          double learningRate, double gradientNorm, double imagesPerSecond, double elapsedSeconds,
                          DistillationLoss distillation) {

    /** Remaining seconds at the current rate. */
    public double etaSeconds() {
        return step + 1 >= totalSteps ? 0 : elapsedSeconds / (step + 1) * (totalSteps - step - 1);
    }
}
