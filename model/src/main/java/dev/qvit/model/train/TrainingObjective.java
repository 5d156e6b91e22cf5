package dev.qvit.model.train;

import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.snapshot.DistillationLoss;

/**
 * The per-replica part of a training step: forward, loss and backward on one slice of a batch. Each worker
 * thread owns one; its gradients are the mean over its slice. Worker thread only.
 */
public interface TrainingObjective {

    /** Forward and backward on {@code count} normalised images (flat [count, C, S, S]); gradients left in place. */
    SliceResult trainStep(float[] images, int[] labels, int count);

    /** Forward only: loss and correct predictions. */
    SliceResult evaluate(float[] images, int[] labels, int count);

    /** This replica's parameters (shared values, own gradients). */
    ParameterSet parameters();

    /** Turns the per-image means of {@link SliceResult#distillationSums()} into a record; null when none. */
    default DistillationLoss distillation(double[] means) {
        return null;
    }
}
