package dev.qvit.model.nn;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = x W^T + b over rows of x, W stored [out, in] as in PyTorch; or y = x W^T for a layer without bias (Swin's
 * patch merging). Training thread only.
 */
public final class Linear implements DenseLayer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;    // null: none
    private final Buffers buffers;
    private INDArray input;

    public Linear(ParameterSet params, String name, int inFeatures, int outFeatures) {
        this(params, name, inFeatures, outFeatures, true);
    }

    public Linear(ParameterSet params, String name, int inFeatures, int outFeatures, boolean hasBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = params.declare(name + ".weight", true, outFeatures, inFeatures);
        this.bias = hasBias ? params.declare(name + ".bias", false, outFeatures) : null;
        this.buffers = params.buffers();
    }

    /** Linear weights trunc-normal(0.02), bias 0 (method doc section 1). */
    public void initTransformer(Random random) {
        Init.truncatedNormal(weight.value(), 0.02, random);
        if (bias != null) {
            bias.value().assign(0);
        }
    }

    /** PyTorch's default for conv/linear layers: U(+-1/sqrt(fan_in)) for weight and bias. */
    public void initPyTorchDefault(Random random) {
        double bound = 1.0 / Math.sqrt(inFeatures);
        Init.uniform(weight.value(), bound, random);
        if (bias != null) {
            Init.uniform(bias.value(), bound, random);
        }
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        return forward(x);
    }

    /** x [T, in] -> y [T, out]; x must stay unchanged until {@link #backward}. */
    public INDArray forward(INDArray x) {
        input = x;
        INDArray y = buffers.get("y", x.rows(), outFeatures);          // [T, out]
        Tensors.gemm(x, weight.value(), y, false, true, 0.0);
        return bias == null ? y : Tensors.addRow(y, bias.value(), y);
    }

    /** Sets dW, db from dy [T, out]; returns dx [T, in]. */
    @Override
    public INDArray backward(INDArray dy) {
        backwardParametersOnly(dy);
        INDArray dx = buffers.get("dx", dy.rows(), inFeatures);        // [T, in]
        return Tensors.gemm(dy, weight.value(), dx, false, false, 0.0);
    }

    /** Sets dW, db only (for the first layer, whose input needs no gradient). */
    @Override
    public void backwardParametersOnly(INDArray dy) {
        Tensors.gemm(dy, input, weight.grad(), true, false, 0.0);      // [out, in]
        if (bias != null) {
            Tensors.sumOverRows(dy, buffers.constant("ones", 1.0, 1, dy.rows()), bias.grad()); // [out]
        }
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
