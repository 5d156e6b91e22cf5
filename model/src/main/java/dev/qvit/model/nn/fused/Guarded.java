package dev.qvit.model.nn.fused;

/**
 * A vector kernel watched by the {@link AllocationGuard}, and its scalar twin, which takes over (with the same
 * numbers) once the guard says the vector kernels are not compiled to vector code.
 */
abstract class Guarded<K> {
    private final K scalar;
    private K current;

    Guarded(K vector, K scalar) {
        this.current = vector;
        this.scalar = scalar;
    }

    final K current() {
        if (Kernels.fellBack()) {
            current = scalar;
        }
        return current;
    }

    /** The thread's allocation counter if this call is measured, else -1. */
    static long begin() {
        return AllocationGuard.sample() ? AllocationGuard.allocatedBytes() : -1;
    }

    static void end(String kernel, long before) {
        if (before >= 0) {
            AllocationGuard.record(kernel, AllocationGuard.allocatedBytes() - before);
        }
    }
}
