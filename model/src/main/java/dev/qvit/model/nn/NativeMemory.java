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

    /** Returns free heap pages of the C allocator to the system; false where there is no glibc malloc_trim. */
    public static boolean trim() {
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0}) == 1;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }
}
