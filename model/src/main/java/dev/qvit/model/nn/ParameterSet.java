package dev.qvit.model.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * All parameters of a model in one flat value buffer and one flat gradient buffer, so the optimizer, gradient
 * clipping and checkpoints each work on a single array. Layers declare parameters while the model is built;
 * {@link #allocate()} then binds every parameter to its views. Training thread only.
 */
public final class ParameterSet {
    private final DataType dataType;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final List<Buffers> buffers = new ArrayList<>();
    private INDArray values;
    private INDArray grads;
    private INDArray decayMask;

    public ParameterSet(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    /**
     * A new set of activation/gradient buffers for a layer of this model, released with all the others by
     * {@link #releaseBuffers()}.
     */
    public Buffers buffers() {
        Buffers b = new Buffers(dataType);
        buffers.add(b);
        return b;
    }

    /**
     * Frees every buffer of this model's layers now, instead of when the GC gets round to it (their off-heap memory
     * is what a model of this size mostly holds); they are allocated again when next used.
     */
    public void releaseBuffers() {
        buffers.forEach(Buffers::release);
    }

    /** Declares a parameter; its arrays exist after {@link #allocate()}. */
    public Parameter declare(String name, boolean weightDecay, long... shape) {
        if (values != null) {
            throw new IllegalStateException("parameters already allocated, cannot add " + name);
        }
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        Parameter p = new Parameter(name, shape, weightDecay);
        byName.put(name, p);
        return p;
    }

    public void allocate() {
        allocate(null);
    }

    /**
     * Allocates the gradients and either fresh values or, for a data-parallel replica, the values of
     * {@code shared} (same names, same order): replicas read one set of weights and write their own gradients.
     */
    public void allocate(ParameterSet shared) {
        long total = byName.values().stream().mapToLong(Parameter::length).sum();
        if (shared != null && (shared.values == null || shared.values.length() != total
                || !shared.byName.keySet().equals(byName.keySet()))) {
            throw new IllegalArgumentException("replica parameters do not match the shared parameter set");
        }
        values = shared != null ? shared.values : Nd4j.create(dataType, total);
        grads = Nd4j.create(dataType, total);
        decayMask = Nd4j.create(dataType, total);
        long offset = 0;
        for (Parameter p : byName.values()) {
            long n = p.length();
            p.bind(view(values, offset, n, p.shape()), view(grads, offset, n, p.shape()));
            if (p.weightDecay()) {
                decayMask.get(NDArrayIndex.interval(offset, offset + n)).assign(1);
            }
            offset += n;
        }
    }

    private static INDArray view(INDArray flat, long offset, long n, long[] shape) {
        INDArray v = flat.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', shape);
        if (v.data() != flat.data() && v.data().originalDataBuffer() != flat.data()) {
            throw new IllegalStateException("parameter view is not backed by the flat buffer");
        }
        return v;
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** All values, flat. */
    public INDArray values() {
        return values;
    }

    /** All gradients, flat, same order as {@link #values()}. */
    public INDArray grads() {
        return grads;
    }

    /** 1 where weight decay applies, 0 elsewhere. */
    public INDArray decayMask() {
        return decayMask;
    }

    public long size() {
        return values.length();
    }
}
