package dev.qvit.sessions;

/** A session that cannot be created, opened or written, with one sentence that names the file and the problem. */
public class SessionException extends Exception {
    public SessionException(String message) {
        super(message);
    }

    public SessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
