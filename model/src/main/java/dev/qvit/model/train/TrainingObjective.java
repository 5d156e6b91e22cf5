package dev.qvit.model.train;

import dev.qvit.model.nn.ParameterSet;
import dev.qvit.records.DistillationLoss;

/**
 * The per-replica part of a training step: forward, loss and backward on one slice of a batch. Each slice owns
 * one; its gradients are the mean over its slice. Slice thread only.
 */
public interface TrainingObjective extends AutoCloseable {

    /**
     * Forward and backward on {@code count} normalised images (flat [count, C, S, S]) at optimiser step
     * {@code step} of the run; gradients left in place.
     */
    SliceResult trainStep(float[] images, int[] labels, int count, long step);

    /** After a successful optimiser step (called once, on the first slice's worker): commit per-step state. */
    default void afterStep() {
    }

    /** Forward only, in evaluation mode: loss and correct predictions. */
    SliceResult evaluate(float[] images, int[] labels, int count);

    /** This replica's parameters (shared values, own gradients). */
    ParameterSet parameters();

    /** Frees this replica's buffers now (its weights are shared and stay). */
    @Override
    default void close() {
        parameters().releaseBuffers();
    }

    /** Turns the per-image means of {@link SliceResult#distillationSums()} into a record; null when none. */
    default DistillationLoss distillation(double[] means) {
        return null;
    }
}
