package dev.qvit.model.vit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A term added to the attention scores q k^T / sqrt(d) before the softmax, such as Swin's relative position bias
 * and shifted-window mask. Training thread only.
 */
public interface ScoreBias {

    /**
     * The term, dense [P, N*N]: head g of a batch (g counting images x windows x heads, windows of an image
     * adjacent) adds plane g mod P. Valid until the next call.
     */
    INDArray term();

    /** Sets the term's parameter gradients from dBias [H, N*N], the scores' gradient summed per head. */
    void backward(INDArray dBias);
}
