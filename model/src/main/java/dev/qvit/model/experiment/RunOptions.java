package dev.qvit.model.experiment;

import dev.qvit.model.train.ParallelWorkers;

/**
 * How a run is carried out, as opposed to what it computes ({@link ExperimentSpec}): none of these change its
 * numbers.
 *
 * @param threads              worker replicas (the slices of a batch are the same for any count)
 * @param probeIntervalMillis  probe the model at most this often (and after the first and the last step), and
 *                             never for more than 5 % of the run's time; 0 probes after every step, a negative
 *                             value never
 * @param checkpointer         saves the run's state at every epoch's end and every {@code checkpointEverySteps}
 *                             steps; null saves nothing
 * @param checkpointEverySteps 0 = at epoch ends only
 */
public record RunOptions(int threads, long probeIntervalMillis, Checkpointer checkpointer, int checkpointEverySteps) {

    /** How often the window probes its run (and the bench's probed run). */
    public static final long WINDOW_PROBE_MILLIS = 700;

    public RunOptions {
        if (threads < 1 || threads > ParallelWorkers.MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + ParallelWorkers.MAX_THREADS
                    + ", got " + threads);
        }
        if (checkpointEverySteps < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 steps, got " + checkpointEverySteps);
        }
    }

    /** No probing, no checkpoints: a benchmark or an ablation cell. */
    public static RunOptions headless(int threads) {
        return new RunOptions(threads, -1, null, 0);
    }

    public RunOptions probingEvery(long millis) {
        return new RunOptions(threads, millis, checkpointer, checkpointEverySteps);
    }

    public RunOptions checkpointingTo(Checkpointer c, int everySteps) {
        return new RunOptions(threads, probeIntervalMillis, c, everySteps);
    }

    public boolean probes() {
        return probeIntervalMillis >= 0;
    }
}
