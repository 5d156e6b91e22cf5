package dev.qvit.model.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Optimisation settings of one run (method doc section 6); {@link #problems()} says what a user must change.
 *
 * @param epochs          passes over the training set
 * @param batchSize       images per optimiser step
 * @param learningRate    peak AdamW learning rate
 * @param minLearningRate learning rate at the end of the cosine decay
 * @param warmupEpochs    linear warm-up length (from 1e-6), may be fractional
 * @param weightDecay     AdamW decay on 2-D weights only
 * @param gradientClip    maximal global gradient L2 norm, 0 = no clipping
 * @param seed            seeds shuffling and augmentation
 * @param augment         pad-2 random crop and horizontal flip
 * @param shuffle         a new seeded order each epoch (off: the data set's order, for reference comparisons)
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double minLearningRate,
                             double warmupEpochs, double weightDecay, double gradientClip, long seed, boolean augment,
                             boolean shuffle) {

    public TrainingConfig(int epochs, int batchSize, double learningRate, double minLearningRate, double warmupEpochs,
                          double weightDecay, double gradientClip, long seed, boolean augment) {
        this(epochs, batchSize, learningRate, minLearningRate, warmupEpochs, weightDecay, gradientClip, seed, augment,
                true);
    }

    /** The most epochs a run may ask for, in the window and on the command line alike. */
    public static final int MAX_EPOCHS = 1000;

    /**
     * Setting name -> what is wrong with it, in the words the window and the command line show; empty when the
     * recipe can run. Keys: epochs, batch, lr, minLr, warmup, wd, clip.
     */
    public Map<String, String> problems() {
        Map<String, String> p = new LinkedHashMap<>();
        check(p, "epochs", epochs >= 1 && epochs <= MAX_EPOCHS, "epochs must be between 1 and " + MAX_EPOCHS + ", got " + epochs);
        check(p, "batch", batchSize >= 2 && batchSize <= 4096, "batch size must be between 2 and 4096, got " + batchSize);
        check(p, "lr", learningRate > 0 && learningRate <= 1, "learning rate must be in (0, 1], got " + learningRate);
        check(p, "minLr", minLearningRate >= 0 && minLearningRate <= learningRate,
                "minimum learning rate must be in [0, learning rate], got " + minLearningRate);
        check(p, "warmup", warmupEpochs >= 0 && warmupEpochs <= epochs,
                "warm-up must be between 0 and the epochs, got " + warmupEpochs);
        check(p, "wd", weightDecay >= 0 && weightDecay < 1, "weight decay must be in [0, 1), got " + weightDecay);
        check(p, "clip", gradientClip >= 0 && gradientClip < Double.POSITIVE_INFINITY,
                "gradient clip must be >= 0 (0 = off), got " + gradientClip);
        return p;
    }

    /** @throws IllegalArgumentException naming every problem */
    public TrainingConfig requireValid() {
        Map<String, String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", p.values()));
        }
        return this;
    }

    /** The teacher recipe: AdamW lr 1e-3, wd 0.05, batch 128, 1 warm-up epoch, cosine to 1e-5, augmentation. */
    public static TrainingConfig teacher(int epochs) {
        return new TrainingConfig(epochs, 128, 1e-3, 1e-5, Math.min(1, epochs), 0.05, 0, 0, true);
    }

    public TrainingConfig withEpochs(int newEpochs) {
        return new TrainingConfig(newEpochs, batchSize, learningRate, minLearningRate, warmupEpochs, weightDecay,
                gradientClip, seed, augment, shuffle);
    }

    public TrainingConfig withBatchSize(int newBatchSize) {
        return new TrainingConfig(epochs, newBatchSize, learningRate, minLearningRate, warmupEpochs, weightDecay,
                gradientClip, seed, augment, shuffle);
    }

    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(epochs, batchSize, learningRate, minLearningRate, warmupEpochs, weightDecay,
                gradientClip, newSeed, augment, shuffle);
    }

    private static void check(Map<String, String> problems, String key, boolean ok, String message) {
        if (!ok) {
            problems.put(key, message);
        }
    }
}
