package dev.qvit.model.nn;

/**
 * Sums per-slice partial statistics over all slices of one batch, so that a layer whose statistics are "over the
 * batch" sees the whole batch however it is split across data-parallel replicas (like a synchronised batch norm).
 * The slices' partials are added in slice order, so the result does not depend on which thread ran which slice.
 */
@FunctionalInterface
public interface BatchReduction {

    /** A batch computed in one piece: the sum over its only slice is the partial itself. */
    BatchReduction WHOLE_BATCH = partial -> partial.clone();

    /**
     * The element-wise sum of {@code partial} over every slice of the current batch (every slice passes an array of
     * the same length, at the same point of the same pass); blocks until all slices have contributed.
     */
    double[] sum(double[] partial);
}
