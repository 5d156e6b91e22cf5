package dev.qvit.sessions;

/** Another window or command holds the session: it may be read, not written. */
public final class SessionBusyException extends SessionException {
    public SessionBusyException(String message) {
        super(message);
    }
}
