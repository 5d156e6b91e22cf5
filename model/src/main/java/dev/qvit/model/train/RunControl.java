package dev.qvit.model.train;

/**
 * Pause, resume and cancel requests for a running job, checked by the training thread between batches. A cancel
 * also runs the registered cancel hooks (the trainer's interrupts its workers, so a step in progress stops between
 * layers). Thread-safe: any thread may request, the training thread waits.
 */
public final class RunControl {
    private final java.util.List<Runnable> cancelHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean paused;
    private boolean cancelled;

    /** A registered cancel hook; closing removes it. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Runs {@code hook} on cancel (at once if already cancelled); returns a handle that removes it. */
    public Registration onCancel(Runnable hook) {
        cancelHooks.add(hook);
        if (isCancelled()) {
            hook.run();
        }
        return () -> cancelHooks.remove(hook);
    }

    public synchronized void pause() {
        paused = true;
    }

    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    public void cancel() {
        synchronized (this) {
            cancelled = true;
            notifyAll();
        }
        cancelHooks.forEach(Runnable::run);
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
