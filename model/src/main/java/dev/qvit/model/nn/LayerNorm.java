package dev.qvit.model.nn;

import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.nn.fused.LayerNormKernel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Layer normalisation over the last dimension of [T, D]: y = gamma * (x - mean) / sqrt(var + eps) + beta,
 * with the biased variance as in PyTorch. In float32 one fused pass each way ({@link LayerNormKernel}); the ND4J op
 * sequence is the reference path. Training thread only.
 */
public final class LayerNorm {
    private final int dim;
    private final double eps;
    private final Parameter gamma;
    private final Parameter beta;
    private final Buffers buffers;
    private INDArray normalized;   // x-hat [T, D]
    private INDArray invStd;       // [T]
    private LayerNormKernel kernel;
    private boolean fused;
    private float[] gammaValues = new float[0];
    private float[] betaValues = new float[0];
    private float[] gammaGrad = new float[0];
    private float[] betaGrad = new float[0];

    public LayerNorm(ParameterSet params, String name, int dim, double eps) {
        this.dim = dim;
        this.eps = eps;
        this.gamma = params.declare(name + ".weight", false, dim);
        this.beta = params.declare(name + ".bias", false, dim);
        this.buffers = params.buffers();
        this.kernel = buffers.dataType() == DataType.FLOAT ? Kernels.layerNorm(Kernels.path(), dim) : null;
    }

    /** Runs on the given kernel path from now on (the tests compare the paths). */
    public LayerNorm useKernels(Kernels.Path path) {
        kernel = buffers.dataType() == DataType.FLOAT ? Kernels.layerNorm(path, dim) : null;
        return this;
    }

    public void init() {
        gamma.value().assign(1);
        beta.value().assign(0);
    }

    /** x [T, D] -> y [T, D]. */
    public INDArray forward(INDArray x) {
        long rows = x.rows();
        fused = kernel != null && x.dataType() == DataType.FLOAT;
        if (fused) {
            return fusedForward(x, rows);
        }
        INDArray mean = Tensors.meanOfRows(x, buffers.get("mean", rows));           // [T]
        invStd = buffers.get("invStd", rows);
        Nd4j.exec(new Variance(x, invStd, false, 1));                                 // biased var [T]
        invStd.addi(eps);
        Nd4j.exec(new RSqrt(invStd, invStd));                                         // 1/sqrt(var+eps)
        normalized = Tensors.subColumn(x, mean, buffers.get("xhat", rows, dim));     // x - mean
        Tensors.mulColumn(normalized, invStd, normalized);
        INDArray y = Tensors.mulRow(normalized, gamma.value(), buffers.get("y", rows, dim));
        return Tensors.addRow(y, beta.value(), y);
    }

    /**
     * dx = invStd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma; sets dgamma, dbeta.
     */
    public INDArray backward(INDArray dy) {
        long rows = dy.rows();
        if (fused) {
            return fusedBackward(dy, rows);
        }
        INDArray ones = buffers.constant("ones", 1.0, 1, rows);
        INDArray tmp = dy.mul(normalized, buffers.get("tmp", rows, dim));
        Tensors.sumOverRows(tmp, ones, gamma.grad());
        Tensors.sumOverRows(dy, ones, beta.grad());
        INDArray g = Tensors.mulRow(dy, gamma.value(), buffers.get("g", rows, dim)); // [T, D]
        INDArray meanG = Tensors.meanOfRows(g, buffers.get("meanG", rows));
        g.mul(normalized, tmp);
        INDArray meanGx = Tensors.meanOfRows(tmp, buffers.get("meanGx", rows));
        INDArray dx = Tensors.mulColumn(normalized, meanGx, buffers.get("dx", rows, dim));
        dx.rsubi(g);                                                                // g - xhat*mean(g xhat)
        Tensors.subColumn(dx, meanG, dx);
        return Tensors.mulColumn(dx, invStd, dx);
    }

    private INDArray fusedForward(INDArray x, long rows) {
        if (gammaValues.length != dim) {
            gammaValues = new float[dim];
            betaValues = new float[dim];
            gammaGrad = new float[dim];
            betaGrad = new float[dim];
        }
        FloatMemory.of(gamma.value()).copyTo(gammaValues);
        FloatMemory.of(beta.value()).copyTo(betaValues);
        invStd = buffers.get("invStd", rows);
        normalized = buffers.get("xhat", rows, dim);
        INDArray y = buffers.get("y", rows, dim);
        INDArray input = FloatMemory.isDense(x) ? x : buffers.get("x", rows, dim).assign(x);
        kernel.forward(FloatMemory.of(input), gammaValues, betaValues, (float) eps, (int) rows, dim,
                FloatMemory.of(normalized), FloatMemory.of(invStd), FloatMemory.of(y));
        return y;
    }

    private INDArray fusedBackward(INDArray dy, long rows) {
        INDArray upstream = FloatMemory.isDense(dy) ? dy : buffers.get("dy", rows, dim).assign(dy);
        INDArray dx = buffers.get("dx", rows, dim);
        kernel.backward(FloatMemory.of(upstream), FloatMemory.of(normalized), FloatMemory.of(invStd), gammaValues,
                (int) rows, dim, FloatMemory.of(dx), gammaGrad, betaGrad);
        FloatMemory.of(gamma.grad()).copyFrom(gammaGrad);
        FloatMemory.of(beta.grad()).copyFrom(betaGrad);
        return dx;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
