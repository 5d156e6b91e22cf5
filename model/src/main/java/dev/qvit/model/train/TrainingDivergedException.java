package dev.qvit.model.train;

/** The loss or the gradient became NaN or infinite; parameters are left as they were before that step. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
