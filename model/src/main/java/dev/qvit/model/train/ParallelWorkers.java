package dev.qvit.model.train;

import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.nn.BatchReduction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data parallelism on one machine that does not change the numbers: every batch is cut into the same number of
 * slices whatever the number of cores ({@link #SLICES}), each slice has its own model replica (shared weights,
 * own gradients and buffers), and {@code threads} cores run the slices. Gradients and batch statistics are summed
 * in slice order, so 1, 2 or 4 threads give bit-identical results. Each replica runs ND4J and BLAS
 * single-threaded: on these small shapes that is about twice as fast as one replica with threaded ops, whose
 * OpenMP and OpenBLAS pools contend for the same cores.
 * <p>
 * Each slice runs on a thread of its own, and a slice computes only while it holds one of {@code threads} cores
 * (permits). A slice that must wait for the other slices' statistics (a {@link BatchReduction}, used by the
 * distribution form of IRM) gives its core back while it waits, so any number of threads can run any number of
 * slices.
 *
 * @param <W> the per-slice worker (replica plus its loss)
 */
public final class ParallelWorkers<W> implements AutoCloseable {
    /**
     * Slices of every batch: part of what a run computes (its summation order), not of how it is executed. More
     * slices would let more cores work on a batch but cost per-operation overhead on smaller arrays: measured on
     * the tiny model at batch 128 with 2 threads, a W4 IRM(distribution)+DGD step took 1070-1168 ms with 2 slices,
     * 1185-1237 ms with 4 and 1402-1504 ms with 8 (FP: 365-470, 376-403, 428-488 ms).
     */
    public static final int SLICES = 4;
    /** The most worker threads a run may ask for, in the window and on the command line. */
    public static final int MAX_THREADS = 256;

    private final int threadCount;
    private final Semaphore cores;
    private final SliceBarrier barrier;
    private final List<ExecutorService> sliceThreads = new ArrayList<>();
    private final List<Thread> threadHandles = new CopyOnWriteArrayList<>();
    private final boolean[] holdsCore;
    private final List<W> workers = new ArrayList<>();

    /** Builds the worker of one slice; {@code reduction} sums that slice's batch statistics with the others'. */
    @FunctionalInterface
    public interface ReplicaFactory<W> {
        W create(int slice, BatchReduction reduction);
    }

    /** {@link #SLICES} workers run by {@code threads} cores. */
    public ParallelWorkers(int threads, ReplicaFactory<W> factory) {
        this(threads, SLICES, factory);
    }

    /** {@code slices} workers, each built by {@code factory} on its own thread, run by {@code threads} cores. */
    public ParallelWorkers(int threads, int slices, ReplicaFactory<W> factory) {
        if (threads < 1) {
            throw new IllegalArgumentException("need at least one worker thread, got " + threads);
        }
        if (slices < 1) {
            throw new IllegalArgumentException("need at least one slice, got " + slices);
        }
        useSingleThreadedKernels();
        this.threadCount = Math.min(threads, slices);
        this.cores = new Semaphore(threadCount);
        this.barrier = new SliceBarrier(slices);
        this.holdsCore = new boolean[slices];
        for (int i = 0; i < slices; i++) {
            int slice = i;
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = BackgroundPriority.newThread("qvit-slice-" + slice, r);
                threadHandles.add(t);
                return t;
            });
            sliceThreads.add(thread);
            BatchReduction reduction = partial -> sumOverSlices(slice, partial);
            workers.add(await(thread.submit(() -> factory.create(slice, reduction))));
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

    /**
     * Runs {@code task(worker, slice)} on slices 0 .. active-1 (the slices of a batch that hold images) and returns
     * the results in slice order. A failing slice makes the others give up at their next meeting point; the first
     * real failure is thrown.
     */
    public <R> List<R> run(int active, BiFunction<W, Integer, R> task) {
        return run(active, task, null);
    }

    /**
     * {@link #run(int, BiFunction)}, and {@code alongside} (null: nothing) on the calling thread while the slices
     * run: work that reads what the slices only read (a probe of the weights) uses the core time a waiting caller
     * would leave idle. The slices are waited for whatever {@code alongside} does; its failure is thrown after theirs.
     */
    public <R> List<R> run(int active, BiFunction<W, Integer, R> task, Runnable alongside) {
        if (active < 1 || active > workers.size()) {
            throw new IllegalArgumentException("active slices must be between 1 and " + workers.size() + ", got " + active);
        }
        barrier.begin(active);
        List<Future<R>> futures = new ArrayList<>();
        for (int i = 0; i < active; i++) {
            W worker = workers.get(i);
            int slice = i;
            futures.add(sliceThreads.get(i).submit(() -> {
                Thread.interrupted();                        // a stale interrupt from between tasks is not for us
                try {
                    acquireCore(slice);
                    return task.apply(worker, slice);
                } catch (RuntimeException | Error e) {
                    barrier.fail();
                    throw e;
                } finally {
                    releaseCore(slice);
                }
            }));
        }
        RuntimeException alongsideFailure = null;
        if (alongside != null) {
            try {
                alongside.run();
            } catch (RuntimeException e) {
                alongsideFailure = e;
            }
        }
        List<R> results = collect(futures);
        if (alongsideFailure != null) {
            throw alongsideFailure;
        }
        return results;
    }

    private static <R> List<R> collect(List<Future<R>> futures) {
        List<R> results = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<R> f : futures) {
            try {
                results.add(await(f));
            } catch (RuntimeException e) {                   // wait for the others before reporting it
                boolean moreTelling = failure == null || failure instanceof StepCancelledException
                        && !(e instanceof StepCancelledException);
                failure = moreTelling ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Called by slice {@code slice}'s replica: gives its core back while it waits for the other slices. */
    private double[] sumOverSlices(int slice, double[] partial) {
        releaseCore(slice);
        double[] total = barrier.arrive(slice, partial);
        acquireCore(slice);
        return total;
    }

    private void acquireCore(int slice) {
        try {
            cores.acquire();
            holdsCore[slice] = true;
        } catch (InterruptedException e) {
            throw new StepCancelledException();
        }
    }

    private void releaseCore(int slice) {
        if (holdsCore[slice]) {
            holdsCore[slice] = false;
            cores.release();
        }
    }

    /**
     * Interrupts the slice threads, so that a step in progress ends with {@link StepCancelledException} at its
     * next layer boundary.
     */
    public void interrupt() {
        threadHandles.forEach(Thread::interrupt);
    }

    /** The number of slices (and workers). */
    public int size() {
        return workers.size();
    }

    /** The number of slices that compute at the same time. */
    public int threads() {
        return threadCount;
    }

    public W worker(int slice) {
        return workers.get(slice);
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
     * Stops the threads, frees the workers' buffers (closeable workers) and lets the replicas go. Off-heap memory is
     * otherwise freed only when the GC collects its arrays, and a heap that holds little but small array handles
     * rarely runs a full collection: an ablation, which builds new replicas for every cell, kept every earlier
     * cell's buffers that way (24 GB resident by its third cell). What is left to collect, and the pages the C
     * allocator keeps, go back with {@link dev.qvit.model.nn.NativeMemory#returnUnused()}, which takes a second and so is left to
     * whoever runs the next thing (an ablation between cells, the window after a run), not done here, where a
     * cancelled run would make the user wait for it.
     */
    @Override
    public void close() {
        sliceThreads.forEach(ExecutorService::shutdownNow);
        for (W worker : workers) {
            if (worker instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot release a worker's buffers: " + e.getMessage(), e);
                }
            }
        }
        workers.clear();
    }
}
