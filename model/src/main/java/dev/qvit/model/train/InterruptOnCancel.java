package dev.qvit.model.train;

/**
 * Lets a cancel stop work that runs on the training thread itself between steps (a probe of the model) at its next
 * layer boundary ({@link StepCancelledException}) instead of letting it finish. The thread is interrupted only while
 * the section is open, and closing it clears an interrupt that came too late, so that no stale interrupt reaches
 * the waits that follow. A pause does not interrupt. Open and close on the same thread.
 */
public final class InterruptOnCancel implements AutoCloseable {
    private final Thread thread = Thread.currentThread();
    private final RunControl.Registration registration;
    private boolean open = true;

    public InterruptOnCancel(RunControl control) {
        registration = control.onPauseOrCancel(() -> {
            if (control.isCancelled()) {
                interrupt();
            }
        });
    }

    private synchronized void interrupt() {
        if (open) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        registration.close();
        synchronized (this) {
            open = false;
            Thread.interrupted();
        }
    }
}
