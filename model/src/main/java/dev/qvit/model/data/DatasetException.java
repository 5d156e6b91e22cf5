package dev.qvit.model.data;

/** A data file is missing, truncated or not what it claims to be; the message names the file and the problem. */
public final class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
