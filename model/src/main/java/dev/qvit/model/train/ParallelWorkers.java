package dev.qvit.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data parallelism on one machine: one worker thread per core, each owning a model replica, each running ND4J
 * and BLAS single-threaded. On these small shapes this is about twice as fast as one replica with threaded ops,
 * whose OpenMP and OpenBLAS thread pools contend for the same two cores (measured: 600 vs 300-350 ms per tiny
 * step at batch 128).
 *
 * @param <W> the per-thread worker (replica plus its loss)
 */
public final class ParallelWorkers<W> implements AutoCloseable {
    private final List<ExecutorService> threads = new ArrayList<>();
    private final List<Thread> threadHandles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<W> workers = new ArrayList<>();

    /** Creates {@code count} workers, each built by {@code factory} on its own thread. */
    public ParallelWorkers(int count, IntFunction<W> factory) {
        if (count < 1) {
            throw new IllegalArgumentException("need at least one worker thread, got " + count);
        }
        useSingleThreadedKernels();
        for (int i = 0; i < count; i++) {
            int index = i;
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = BackgroundPriority.newThread("qvit-worker-" + index, r);
                threadHandles.add(t);
                return t;
            });
            threads.add(thread);
            workers.add(await(thread.submit(() -> factory.apply(index))));
        }
    }

    /**
     * OpenBLAS on one thread: the workers provide the parallelism. libnd4j's own OpenMP loops ignore
     * {@code Environment.setMaxThreads} in ND4J 1.0.0-M2.1; they are single-threaded only when the process starts
     * with OMP_NUM_THREADS=1, which ./qvit and the test configuration set.
     */
    public static void useSingleThreadedKernels() {
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
    }

    /** Runs {@code task(worker, index)} on every worker at once and returns the results in worker order. */
    public <R> List<R> run(BiFunction<W, Integer, R> task) {
        List<Future<R>> futures = new ArrayList<>();
        for (int i = 0; i < threads.size(); i++) {
            W worker = workers.get(i);
            int index = i;
            futures.add(threads.get(i).submit(() -> {
                Thread.interrupted();                        // a stale interrupt from between tasks is not for us
                return task.apply(worker, index);
            }));
        }
        List<R> results = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<R> f : futures) {
            try {
                results.add(await(f));
            } catch (RuntimeException e) {                   // wait for the others before reporting it
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Interrupts the worker threads, so that a step in progress ends with {@link StepCancelledException} at its
     * next layer boundary.
     */
    public void interrupt() {
        threadHandles.forEach(Thread::interrupt);
    }

    public int size() {
        return workers.size();
    }

    public W worker(int index) {
        return workers.get(index);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a worker", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * Stops the threads and lets the replicas go. Their off-heap buffers are freed only when the GC collects them,
     * and a heap that holds little but small array handles rarely runs a full collection: without this collection
     * an ablation, which builds new replicas for every cell, kept every earlier cell's buffers (24 GB resident by
     * its third cell).
     */
    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdownNow);
        workers.clear();
        System.gc();
    }
}
