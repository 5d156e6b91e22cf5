package dev.qvit.model.train;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Test-set evaluation (evaluation mode) split across the slices' replicas. Every evaluation cuts the data into
 * the same batches and slices, so the accuracy a run reports is the accuracy its saved model evaluates to, with
 * any number of threads. Training thread only.
 */
public final class Evaluator {
    /**
     * Images per evaluation batch, whatever the training batch; the default training batch, so that evaluation
     * reuses the training slices' buffers instead of allocating others.
     */
    public static final int BATCH = 128;

    private Evaluator() {
    }

    public static SliceResult evaluate(ParallelWorkers<? extends TrainingObjective> workers, ImageDataset data) {
        return evaluate(workers, data, () -> false);
    }

    /** As above, but gives up between batches once {@code stop} says so; then returns null. */
    public static SliceResult evaluate(ParallelWorkers<? extends TrainingObjective> workers, ImageDataset data,
                                       BooleanSupplier stop) {
        return evaluate(workers, data, BATCH, stop);
    }

    /** With another batch size (benchmarks time one batch). */
    public static SliceResult evaluate(ParallelWorkers<? extends TrainingObjective> workers, ImageDataset data,
                                       int batchSize, BooleanSupplier stop) {
        BatchLoader loader = new BatchLoader(data, null);
        int[] order = new int[data.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        BatchSplitter splitter = new BatchSplitter(workers.size(), data.imageSize());
        List<SliceResult> parts = new ArrayList<>();
        for (int start = 0; start < data.count(); start += batchSize) {
            if (stop.getAsBoolean()) {
                return null;
            }
            int end = Math.min(start + batchSize, data.count());
            splitter.fill(loader, order, start, end);
            parts.addAll(workers.run(splitter.activeSlices(),
                    (w, k) -> w.evaluate(splitter.images(k), splitter.labels(k), splitter.count(k))));
        }
        return SliceResult.sum(parts);
    }
}
