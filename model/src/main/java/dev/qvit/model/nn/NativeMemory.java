package dev.qvit.model.nn;

import com.sun.jna.NativeLibrary;

/**
 * Hands freed native memory back to the operating system. ND4J's arrays live in memory from the C library's
 * allocator, which keeps what is freed in per-thread arenas for reuse: after an ablation cell's replicas were freed
 * the process stayed at 5-6 GB resident with 0.4 GB in use, and the next cell, on new threads, allocated more.
 * {@code malloc_trim(0)} (glibc) returns the free pages: measured 0.4 GB resident between cells. Elsewhere it does
 * nothing.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /**
     * Collects the arrays nothing refers to any more (their off-heap memory is freed only when the GC collects
     * them) and trims: for between two runs, not while the user waits (0.7 s of GC and 0.4 s of trim were measured
     * after a window run).
     */
    public static void returnUnused() {
        System.gc();
        trim();
    }

    /** Returns free heap pages of the C allocator to the system; false where there is no glibc malloc_trim. */
    public static boolean trim() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0}) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }
}
