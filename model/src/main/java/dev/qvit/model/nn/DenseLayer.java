package dev.qvit.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = x W^T + b over rows, in full precision ({@link Linear}) or fake-quantized
 * ({@code dev.qvit.model.quant.QuantizedLinear}). Weights keep the PyTorch names and shapes either way, so a
 * teacher's weights load into a student by name. Training thread only.
 */
public interface DenseLayer {

    /** x [T, in] -> y [T, out] (a reused buffer); {@code training} lets quantizers initialise on a first batch. */
    INDArray forward(INDArray x, boolean training);

    /** dy [T, out] -> dx [T, in]; sets the layer's parameter gradients. */
    INDArray backward(INDArray dy);

    /** Sets the parameter gradients only (first layer, whose input needs no gradient). */
    void backwardParametersOnly(INDArray dy);

    Parameter weight();

    /** Null for a layer without bias. */
    Parameter bias();
}
