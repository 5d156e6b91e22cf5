package dev.qvit.app.fx;

/** Turns an exception from a run into one sentence for the status line (details go to the log). */
final class Messages {
    private Messages() {
    }

    static String of(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof RuntimeException
                && cause.getClass() == RuntimeException.class)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        return message;
    }
}
