package dev.qvit.model.train;

/**
 * Pause, resume and cancel requests for a running job, checked by the training thread between batches. Pause and
 * cancel also run the registered hooks (the trainer's interrupts its workers, so a step in progress stops between
 * layers; after a pause it is run again). Thread-safe: any thread may request, the training thread waits.
 */
public final class RunControl {
    private final java.util.List<Runnable> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean paused;
    private boolean cancelled;

    /** A registered hook; closing removes it. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Runs {@code hook} on every pause and cancel (at once if already cancelled); closing the handle removes it. */
    public Registration onPauseOrCancel(Runnable hook) {
        hooks.add(hook);
        if (isCancelled()) {
            hook.run();
        }
        return () -> hooks.remove(hook);
    }

    public void pause() {
        synchronized (this) {
            paused = true;
        }
        hooks.forEach(Runnable::run);
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
        hooks.forEach(Runnable::run);
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
