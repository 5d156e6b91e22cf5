package dev.qvit.records;

/**
 * One finished epoch: training averages and the test evaluation at its end.
 *
 * @param epoch           0-based
 * @param trainLoss       mean training loss over the epoch's batches
 * @param trainAccuracy   training accuracy over the epoch (0..1, on augmented images)
 * @param testLoss        mean cross-entropy on the test set
 * @param testAccuracy    test accuracy (0..1)
 * @param imagesPerSecond training throughput of the epoch
 * @param elapsedSeconds  wall time since the run started
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double imagesPerSecond, double elapsedSeconds) {
}
