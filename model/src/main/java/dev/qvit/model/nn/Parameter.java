package dev.qvit.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learnable tensor with its gradient, both views into the flat buffers of a {@link ParameterSet}.
 * Training thread only.
 */
public final class Parameter {
    private final String name;
    private final long[] shape;
    private final boolean weightDecay;
    private INDArray value;
    private INDArray grad;

    Parameter(String name, long[] shape, boolean weightDecay) {
        this.name = name;
        this.shape = shape.clone();
        this.weightDecay = weightDecay;
    }

    void bind(INDArray value, INDArray grad) {
        this.value = value;
        this.grad = grad;
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long length() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** AdamW decays only 2-D weight matrices and conv kernels, never norms, biases, cls or pos. */
    public boolean weightDecay() {
        return weightDecay;
    }

    public INDArray value() {
        return value;
    }

    public INDArray grad() {
        return grad;
    }
}
