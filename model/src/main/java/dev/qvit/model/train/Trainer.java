package dev.qvit.model.train;

import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.data.Augmentation;
import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop: seeded shuffling and augmentation, data-parallel forward/backward over the batch's slices,
 * gradient reduction in slice order, optional clipping, AdamW with warm-up + cosine schedule, and a test
 * evaluation per epoch. The numbers depend on the data, the seed and the recipe, not on the number of threads.
 * Checks pause/cancel between batches. Training thread only.
 */
public final class Trainer {
    private final TrainingConfig config;
    private final ParallelWorkers<? extends TrainingObjective> workers;
    private final ParameterSet primary;
    private final AdamW optimizer;
    private final INDArray scratch;
    private FirstBatchHook firstBatchHook;
    private List<EpochMetrics> history = new ArrayList<>();
    private List<SliceResult> epochParts = new ArrayList<>();
    private long stepsDone;
    private int currentEpoch;
    private int[] currentOrder;
    private long startNanos = System.nanoTime();

    /** Runs once on the training thread with the whole first batch before the first step (quantizer init). */
    @FunctionalInterface
    public interface FirstBatchHook {
        void accept(float[] images, int count);
    }

    public void setFirstBatchHook(FirstBatchHook hook) {
        this.firstBatchHook = hook;
    }

    /** {@code primary} holds the values all replicas share; the reduced gradient is written into its gradients. */
    public Trainer(TrainingConfig config, ParallelWorkers<? extends TrainingObjective> workers, ParameterSet primary) {
        this.config = config.requireValid();
        this.workers = workers;
        this.primary = primary;
        this.optimizer = new AdamW(primary, config.weightDecay());
        this.scratch = primary.grads().ulike();
    }

    /** Outcome of a run. */
    public record Summary(List<EpochMetrics> epochs, boolean cancelled, long steps) {
        public Summary {
            epochs = List.copyOf(epochs);
        }

        public EpochMetrics last() {
            return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        }
    }

    public Summary run(ImageDataset train, ImageDataset test, TrainingListener listener, RunControl control)
            throws InterruptedException {
        return run(train, test, listener, control, TrainingProgress.START);
    }

    /**
     * Goes on from {@code from} (a {@link #progress()} of an earlier run of the same recipe on the same data, whose
     * parameters and optimizer state have been restored): the data order and augmentation are replayed from the
     * seed up to that step, so the run continues exactly as if it had not stopped.
     */
    public Summary run(ImageDataset train, ImageDataset test, TrainingListener listener, RunControl control,
                       TrainingProgress from) throws InterruptedException {
        history = new ArrayList<>(from.history());
        stepsDone = from.step();
        try (RunControl.Registration hook = control.onPauseOrCancel(workers::interrupt)) {
            return epochs(train, test, listener, control, from);
        } catch (StepCancelledException e) {
            return new Summary(history, true, stepsDone);
        }
    }

    /**
     * Where the run stands: between two steps (in a listener's call), everything besides the parameters and the
     * optimizer's moments that the next step depends on.
     */
    public TrainingProgress progress() {
        return new TrainingProgress(stepsDone, currentEpoch, SliceResult.sum(epochParts),
                (System.nanoTime() - startNanos) / 1e9, history, currentOrder);
    }

    private Summary epochs(ImageDataset train, ImageDataset test, TrainingListener listener, RunControl control,
                           TrainingProgress from) throws InterruptedException {
        int stepsPerEpoch = (train.count() + config.batchSize() - 1) / config.batchSize();
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        LearningRateSchedule schedule = new LearningRateSchedule(config.learningRate(), config.minLearningRate(),
                Math.min(1e-6, config.learningRate()), Math.round(config.warmupEpochs() * stepsPerEpoch), totalSteps);
        Random shuffle = new Random(config.seed());
        Augmentation augmentation = config.augment() ? new Augmentation(config.seed() + 1) : null;
        BatchLoader loader = new BatchLoader(train, augmentation);
        BatchSplitter splitter = new BatchSplitter(workers.size(), train.imageSize());
        startNanos = System.nanoTime() - Math.round(from.elapsedSeconds() * 1e9);
        long step = from.step();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            int[] order = config.shuffle() ? BatchLoader.shuffledOrder(train.count(), shuffle)
                    : java.util.stream.IntStream.range(0, train.count()).toArray();
            int first = firstStepOf(epoch, from, stepsPerEpoch);
            if (first >= stepsPerEpoch) {                          // finished before: replay its random draws
                skipAugmentation(augmentation, train.count());
                continue;
            }
            requireSameOrder(from, epoch, order);
            skipAugmentation(augmentation, first * config.batchSize());
            currentEpoch = epoch;
            currentOrder = order;
            epochParts = new ArrayList<>();
            if (first > 0) {
                epochParts.add(from.epochSoFar());
            }
            long epochStart = System.nanoTime();
            for (int s = first; s < stepsPerEpoch; s++, step++) {
                if (control.isPaused()) {
                    runAlongside();                              // what the views show while paused
                }
                if (!control.awaitRunnable()) {
                    return new Summary(history, true, step);
                }
                splitter.fill(loader, order, s * config.batchSize(), Math.min((s + 1) * config.batchSize(), train.count()));
                if (step == 0 && firstBatchHook != null) {
                    firstBatchHook.accept(splitter.concatenatedImages(), splitter.total());
                }
                long current = step;
                int currentEpochIndex = epoch;
                SliceResult batch = againAfterPause(() -> trainStep(splitter, schedule.at(current), current,
                        currentEpochIndex), control);
                epochParts.add(batch);
                stepsDone = step + 1;                            // done, whatever the listener does (a cancelled probe)
                double elapsed = (System.nanoTime() - startNanos) / 1e9;
                double[] distillation = batch.meanDistillation();
                listener.onStep(new StepMetrics(step, totalSteps, epoch, batch.meanLoss(), batch.meanTaskLoss(),
                        batch.accuracy(), schedule.at(step), lastGradientNorm,
                        (step + 1) * (double) config.batchSize() / elapsed, elapsed,
                        distillation.length == 0 ? null : workers.worker(0).distillation(distillation)));
            }
            runAlongside();
            SliceResult trained = SliceResult.sum(epochParts);
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            SliceResult tested = againAfterPause(() -> Evaluator.evaluate(workers, test, control::isCancelled), control);
            if (tested == null) {
                return new Summary(history, true, step);
            }
            EpochMetrics metrics = new EpochMetrics(epoch, trained.meanLoss(), trained.accuracy(), tested.meanLoss(),
                    tested.accuracy(), trained.count() / epochSeconds, (System.nanoTime() - startNanos) / 1e9);
            history.add(metrics);
            currentEpoch = epoch + 1;
            epochParts = new ArrayList<>();
            currentOrder = null;
            listener.onEpoch(metrics);
        }
        return new Summary(history, false, step);
    }

    /** The first step of {@code epoch} still to take when resuming from {@code from}. */
    private static int firstStepOf(int epoch, TrainingProgress from, int stepsPerEpoch) {
        if (epoch < from.epoch()) {
            return stepsPerEpoch;
        }
        return epoch == from.epoch() ? (int) (from.step() - (long) epoch * stepsPerEpoch) : 0;
    }

    /** A resumed epoch must see the order the interrupted run saw: else the data or the seed is not the same. */
    private static void requireSameOrder(TrainingProgress from, int epoch, int[] order) {
        if (epoch == from.epoch() && from.order() != null && !java.util.Arrays.equals(from.order(), order)) {
            throw new IllegalArgumentException("the checkpoint's data order for epoch " + (epoch + 1) + " is not the "
                    + "one its seed gives on this data: the data set or its limits differ from the interrupted run's");
        }
    }

    private static void skipAugmentation(Augmentation augmentation, long images) {
        if (augmentation != null) {
            augmentation.skip(images);
        }
    }

    /**
     * Runs {@code work}; a pause abandons it between layers (nothing was updated yet) and it runs again once resumed.
     * A cancel ends the run with {@link StepCancelledException}.
     */
    private static <T> T againAfterPause(java.util.function.Supplier<T> work, RunControl control)
            throws InterruptedException {
        while (true) {
            try {
                return work.get();
            } catch (StepCancelledException e) {
                if (!control.awaitRunnable()) {
                    throw e;
                }
            }
        }
    }

    private Runnable alongside;

    /**
     * Runs {@code work} on the training thread while the workers take the next step, or before the trainer waits
     * (a pause, an epoch's evaluation, the end): for work that reads the weights without changing them, such as a
     * probe, which then costs the run the core time it takes rather than the wall time of both cores. Call from
     * a listener, between two steps; a second call before the first has run replaces it.
     */
    public void alongsideNextStep(Runnable work) {
        alongside = work;
    }

    private void runAlongside() {
        Runnable work = alongside;
        alongside = null;
        if (work != null) {
            work.run();
        }
    }

    private double lastGradientNorm;
    /** Global gradient norm of the last step, before clipping. */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    private SliceResult trainStep(BatchSplitter splitter, double lr, long step, int epoch) {
        Runnable pending = alongside;
        alongside = null;
        List<SliceResult> parts = workers.run(splitter.activeSlices(),
                (w, k) -> w.trainStep(splitter.images(k), splitter.labels(k), splitter.count(k), step), pending);
        SliceResult batch = SliceResult.sum(parts);
        reduceGradients(parts, batch.count());
        lastGradientNorm = primary.grads().norm2Number().doubleValue();
        if (!Double.isFinite(batch.lossSum()) || !Double.isFinite(lastGradientNorm)) {
            throw new TrainingDivergedException(("training diverged at step %d (epoch %d): loss %s, gradient norm %s; "
                    + "the parameters are those before this step. Try a lower learning rate or gradient clipping.")
                    .formatted(step, epoch + 1, batch.meanLoss(), lastGradientNorm));
        }
        if (config.gradientClip() > 0 && lastGradientNorm > config.gradientClip()) {
            primary.grads().muli(config.gradientClip() / lastGradientNorm);
        }
        optimizer.step(lr);
        workers.worker(0).afterStep();
        return batch;
    }

    /** primary.grad = sum_k (n_k / n) grad_k in slice order: each slice's gradient is the mean over its images. */
    private void reduceGradients(List<SliceResult> parts, int total) {
        INDArray target = primary.grads();
        for (int k = 0; k < parts.size(); k++) {
            double weight = (double) parts.get(k).count() / total;
            INDArray g = workers.worker(k).parameters().grads();
            if (k == 0) {
                if (g != target) {
                    target.assign(g);
                }
                target.muli(weight);
            } else {
                target.addi(g.mul(weight, scratch));
            }
        }
    }

    public AdamW optimizer() {
        return optimizer;
    }
}
