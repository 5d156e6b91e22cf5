package dev.qvit.model.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/** Median CPU time of the calling thread for a piece of work: a busy machine disturbs it less than wall time. */
final class ThreadCpuTime {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private ThreadCpuTime() {
    }

    /** Milliseconds: median over {@code timed} runs after {@code warmup} untimed ones. */
    static double medianMillis(Runnable work, int warmup, int timed) {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        double[] t = new double[timed];
        for (int i = 0; i < timed; i++) {
            long start = CPU.getCurrentThreadCpuTime();
            work.run();
            t[i] = (CPU.getCurrentThreadCpuTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[timed / 2];
    }
}
