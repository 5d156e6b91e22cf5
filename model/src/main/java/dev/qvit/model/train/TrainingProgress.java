package dev.qvit.model.train;

import dev.qvit.records.EpochMetrics;
import java.util.List;

/**
 * Where a run stands between two steps, besides its parameters and optimizer moments: what a checkpoint needs for
 * the run to go on exactly as if it had not stopped. The random draws of shuffling and augmentation are not state
 * kept here: they are replayed from the seed up to {@code step} (3 draws per augmented image, one permutation per
 * epoch), and {@code order} checks that the replay gives the order the interrupted run saw.
 *
 * @param step           steps done
 * @param epoch          0-based epoch of the next step
 * @param epochSoFar     sums over the steps of that epoch done so far (count 0 at its start)
 * @param elapsedSeconds training time so far (wall clock: the one number a resumed run cannot repeat)
 * @param history        the finished epochs
 * @param order          the data order of epoch {@code epoch} (null before the first step)
 */
public record TrainingProgress(long step, int epoch, SliceResult epochSoFar, double elapsedSeconds,
                               List<EpochMetrics> history, int[] order) {

    public static final TrainingProgress START = new TrainingProgress(0, 0, new SliceResult(0, 0, 0, 0, new double[0]),
            0, List.of(), null);

    public TrainingProgress {
        history = List.copyOf(history);
        order = order == null ? null : order.clone();
    }

    @Override
    public int[] order() {
        return order == null ? null : order.clone();
    }
}
