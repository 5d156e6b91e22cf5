package dev.qvit.app.cli;

import dev.qvit.model.train.ParallelWorkers;
import picocli.CommandLine.Option;

/** Cores a run computes with; its results do not depend on them. */
public final class ThreadOptions {
    @Option(names = "--threads", description = "Cores to compute with (default: all). The results are the same with "
            + "any number: every batch is cut into " + ParallelWorkers.SLICES + " slices, so more than "
            + ParallelWorkers.SLICES + " do not help.")
    Integer threads;

    public int count() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 256) {
            throw new IllegalArgumentException("--threads must be between 1 and 256, got " + n);
        }
        return n;
    }

    /** "1 thread", "2 threads". */
    public String describe() {
        int n = count();
        return n + (n == 1 ? " thread" : " threads");
    }
}
