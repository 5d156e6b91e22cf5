package dev.qvit.model.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activation and gradient buffers of one layer, allocated once per shape and reused every step:
 * an ND4J allocation costs more than most of the ops at these sizes (stack.md). Training thread only.
 * <p>
 * A buffer replaced by one of another shape (the last, smaller batch of an epoch; evaluation batches) is closed at
 * once: ND4J frees off-heap memory only when the GC collects the Java object, and these buffers live long enough to
 * reach the old generation, which a heap that is mostly empty rarely collects; an ablation grew to 24 GB resident and
 * was killed that way. A caller must therefore not keep a buffer (or a view of it) past a call that may change its
 * shape; doing so fails loudly ("argument was closed") rather than reading stale memory.
 */
public final class Buffers {
    private final DataType dataType;
    private final Map<String, INDArray> arrays = new HashMap<>();

    public Buffers(DataType dataType) {
        this.dataType = dataType;
    }

    /** The buffer named {@code key} with this shape; contents are whatever the last user left. */
    public INDArray get(String key, long... shape) {
        return reuse(key, shape, () -> Nd4j.createUninitialized(dataType, shape));
    }

    /** A buffer filled with {@code value} when it is (re)allocated; callers must not write to it. */
    public INDArray constant(String key, double value, long... shape) {
        return reuse(key, shape, () -> Nd4j.valueArrayOf(shape, value, dataType));
    }

    /** Like {@link #get} but zero-filled. */
    public INDArray zeros(String key, long... shape) {
        return get(key, shape).assign(0);
    }

    /** The buffer under {@code key} if it has this shape; else a fresh one, and the old one is closed. */
    private INDArray reuse(String key, long[] shape, Supplier<INDArray> allocate) {
        INDArray a = arrays.get(key);
        if (a != null && Arrays.equals(a.shape(), shape)) {
            return a;
        }
        INDArray fresh = allocate.get();
        arrays.put(key, fresh);
        if (a != null && a.closeable()) {
            a.close();
        }
        return fresh;
    }

    /** Closes every buffer now; the next {@link #get} allocates afresh. */
    public void release() {
        for (INDArray a : arrays.values()) {
            if (a.closeable()) {
                a.close();
            }
        }
        arrays.clear();
    }

    public DataType dataType() {
        return dataType;
    }
}
