package dev.qvit.model.nn;

/**
 * A training or evaluation step was abandoned half-way because its run was cancelled; no parameter has been
 * updated by it. Thrown on a worker thread that was interrupted by {@code RunControl.cancel()}, or on the training
 * thread in a probe between steps ({@code InterruptOnCancel}).
 */
public final class StepCancelledException extends RuntimeException {

    public StepCancelledException() {
        super("the step was cancelled", null, false, false);
    }

    /** Throws if the calling thread has been interrupted (and clears the interrupt); called between layers. */
    public static void throwIfInterrupted() {
        if (Thread.interrupted()) {
            throw new StepCancelledException();
        }
    }
}
