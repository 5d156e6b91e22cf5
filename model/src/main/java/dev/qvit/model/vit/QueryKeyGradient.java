package dev.qvit.model.vit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Extra gradients of a loss on one attention layer's used (rectified, quantized) q and k, e.g. DGD's, both
 * [B, H, N, d]; they join the gradients that flow back from the layer's output.
 */
public record QueryKeyGradient(INDArray query, INDArray key) {
}
