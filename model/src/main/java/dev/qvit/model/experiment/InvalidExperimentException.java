package dev.qvit.model.experiment;

/** An experiment that cannot run, with a message that says what to change. */
public final class InvalidExperimentException extends IllegalArgumentException {
    public InvalidExperimentException(String message) {
        super(message);
    }
}
