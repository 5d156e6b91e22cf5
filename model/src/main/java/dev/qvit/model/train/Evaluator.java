package dev.qvit.model.train;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;

/** Test-set evaluation split across the worker replicas. Training thread only. */
public final class Evaluator {
    private Evaluator() {
    }

    public static SliceResult evaluate(ParallelWorkers<? extends TrainingObjective> workers, ImageDataset data,
                                       int batchSize) {
        return evaluate(workers, data, batchSize, () -> false);
    }

    /** As above, but gives up between batches once {@code stop} says so; then returns null. */
    public static SliceResult evaluate(ParallelWorkers<? extends TrainingObjective> workers, ImageDataset data,
                                       int batchSize, java.util.function.BooleanSupplier stop) {
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
            parts.addAll(workers.run((w, k) -> splitter.count(k) == 0 ? new SliceResult(0, 0, 0)
                    : w.evaluate(splitter.images(k), splitter.labels(k), splitter.count(k))));
        }
        return SliceResult.sum(parts.stream().filter(p -> p.count() > 0).toList());
    }
}
