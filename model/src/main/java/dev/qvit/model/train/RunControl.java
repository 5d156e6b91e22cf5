package dev.qvit.model.train;

/**
 * Pause, resume and cancel requests for a running job, checked by the training thread between batches.
 * Thread-safe: any thread may request, the training thread waits.
 */
public final class RunControl {
    private boolean paused;
    private boolean cancelled;

    public synchronized void pause() {
        paused = true;
    }

    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    public synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Blocks while paused; returns false if the run was cancelled. */
    public synchronized boolean awaitRunnable() throws InterruptedException {
        while (paused && !cancelled) {
            wait(250);
        }
        return !cancelled;
    }
}
