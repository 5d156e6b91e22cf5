package dev.qvit.app.cli;

import picocli.CommandLine.Option;

/** Worker threads (one model replica per core). */
public final class ThreadOptions {
    @Option(names = "--threads", description = "Worker threads, one model replica each (default: number of cores).")
    Integer threads;

    public int count() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 256) {
            throw new IllegalArgumentException("--threads must be between 1 and 256, got " + n);
        }
        return n;
    }
}
