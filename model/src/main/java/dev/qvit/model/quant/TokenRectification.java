package dev.qvit.model.quant;

import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.ParameterSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * IRM as in the official Q-ViT code: LayerNorm(headDim) on every token of every head (mean and variance over the
 * d channels, eps 1e-5), gamma and beta of size d shared by all heads, initialised 1 and 0 (method doc 4).
 */
public final class TokenRectification implements InformationRectification {
    private static final double EPS = 1e-5;
    private final LayerNorm norm;
    private long[] shape;

    public TokenRectification(ParameterSet params, String name, int headDim) {
        this.norm = new LayerNorm(params, name, headDim, EPS);
    }

    public void init() {
        norm.init();
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        shape = x.shape();
        return norm.forward(x.reshape(x.length() / shape[3], shape[3])).reshape(shape);   // [B*H*N, d]
    }

    @Override
    public INDArray backward(INDArray dy) {
        return norm.backward(dy.reshape(dy.length() / shape[3], shape[3])).reshape(shape);
    }

    public LayerNorm norm() {
        return norm;
    }
}
