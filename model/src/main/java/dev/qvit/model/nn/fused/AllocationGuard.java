package dev.qvit.model.nn.fused;

import java.lang.management.ManagementFactory;

/**
 * Detects a vector kernel that did not compile to vector code: on JDK 17 the Vector API sometimes leaves a kernel
 * interpreted or boxed in a whole program run, where it allocates its vectors on the heap on every call and runs
 * 2-7x slower. Compiled, the kernels allocate nothing. After a warm-up over all kernels, every 64th call is measured
 * with the thread's allocation counter; measured calls that allocate, at least three in a row and for at least
 * three seconds (longer than a recompilation), make every vector kernel fall back to the scalar one (same numbers).
 * Racy counters are fine: they only choose which calls to measure.
 */
final class AllocationGuard {
    static final int WARM_UP_CALLS = 4000;
    static final int SAMPLE_EVERY = 64;
    static final int STRIKES = 3;
    /**
     * How long a streak of allocating calls must last: a kernel being recompiled (deoptimised after a new shape, a
     * new branch) runs boxed for a while, under a second, before it is vector code again.
     */
    static final long STREAK_NANOS = 3_000_000_000L;
    private static long streakStart;
    /** Bytes a measured call may allocate: the counter itself is exact, a compiled kernel allocates 0. */
    static final long ALLOWED_BYTES = 256;
    private static final com.sun.management.ThreadMXBean THREADS = threads();
    private static int calls;
    private static int strikes;

    private AllocationGuard() {
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t;
        }
        return null;
    }

    /** Whether this call should be measured. */
    static boolean sample() {
        int n = ++calls;
        return THREADS != null && n > WARM_UP_CALLS && n % SAMPLE_EVERY == 0 && !Kernels.fellBack();
    }

    static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Records one measured call of {@code kernel}; see {@link #strike} for when the kernels fall back. */
    static void record(String kernel, long bytes) {
        if (strike(bytes)) {
            Kernels.fallBack(kernel + " allocated " + bytes + " bytes per call after warm-up (not compiled to "
                    + "vector code)");
        }
    }

    /** Counts a measured call: true when {@link #STRIKES} or more in a row allocated over {@link #STREAK_NANOS}. */
    static boolean strike(long bytes) {
        return strike(bytes, System.nanoTime());
    }

    static boolean strike(long bytes, long now) {
        if (bytes <= ALLOWED_BYTES) {
            strikes = 0;
            return false;
        }
        if (strikes++ == 0) {
            streakStart = now;
        }
        return strikes >= STRIKES && now - streakStart >= STREAK_NANOS;
    }
}
