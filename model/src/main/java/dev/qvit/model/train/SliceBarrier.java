package dev.qvit.model.train;

import dev.qvit.model.nn.StepCancelledException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the active slices of one batch meet to add up their partial statistics. The sum is taken in slice order
 * by the last slice to arrive, so it is the same whichever threads ran the slices and in whatever order they
 * came. A failed or cancelled slice breaks the meeting for the others, who then give up with
 * {@link StepCancelledException} instead of waiting for it forever. Thread-safe.
 */
final class SliceBarrier {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition tripped = lock.newCondition();
    private final double[][] partials;
    private int parties;
    private int arrived;
    private long generation;
    private boolean failed;
    private double[] total;

    SliceBarrier(int slices) {
        this.partials = new double[slices][];
    }

    /** Starts a batch whose slices 0 .. active-1 will meet. */
    void begin(int active) {
        lock.lock();
        try {
            parties = active;
            arrived = 0;
            failed = false;
            generation++;
        } finally {
            lock.unlock();
        }
    }

    /** Contributes {@code partial} and waits for the other slices; returns the element-wise sum in slice order. */
    double[] arrive(int slice, double[] partial) {
        lock.lock();
        try {
            if (failed) {
                throw new StepCancelledException();
            }
            partials[slice] = partial;
            long meeting = generation;
            if (++arrived == parties) {
                total = sumInSliceOrder();
                arrived = 0;
                generation++;
                tripped.signalAll();
                return total;
            }
            while (generation == meeting && !failed) {
                tripped.await();
            }
            if (generation == meeting) {
                throw new StepCancelledException();
            }
            return total;
        } catch (InterruptedException e) {
            failed = true;
            tripped.signalAll();
            throw new StepCancelledException();
        } finally {
            lock.unlock();
        }
    }

    /** Releases every waiting slice with {@link StepCancelledException}; until the next {@link #begin}. */
    void fail() {
        lock.lock();
        try {
            failed = true;
            tripped.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private double[] sumInSliceOrder() {
        int length = partials[0].length;
        double[] sum = new double[length];
        for (int k = 0; k < parties; k++) {
            if (partials[k].length != length) {
                throw new IllegalStateException("slices " + 0 + " and " + k + " sent statistics of different lengths ("
                        + length + ", " + partials[k].length + "): they are not at the same point of the pass");
            }
            for (int i = 0; i < length; i++) {
                sum[i] += partials[k][i];
            }
            partials[k] = null;
        }
        return sum;
    }
}
