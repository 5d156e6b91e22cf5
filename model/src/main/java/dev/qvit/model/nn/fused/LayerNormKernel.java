package dev.qvit.model.nn.fused;

/**
 * Layer normalisation over the rows of a dense [T, D] tensor in one pass each way (float32):
 * <pre>
 *   forward:  mean = sum x / D, var = sum (x - mean)^2 / D, invStd = 1 / sqrt(var + eps),
 *             xhat = (x - mean) invStd, y = xhat gamma + beta
 *   backward: g = dy gamma, dx = ((g - xhat * sum(g xhat) / D) - sum g / D) invStd,
 *             dgamma = sum over rows of dy xhat, dbeta = sum over rows of dy
 * </pre>
 * Sums along a row keep {@link LsqKernel#PARTIALS} partial sums added up in order; sums over rows go row by row.
 * Implementations agree bit for bit.
 */
public interface LayerNormKernel {
    /** Writes xhat [T, D], invStd [T] and y [T, D]. */
    void forward(FloatMemory x, float[] gamma, float[] beta, float eps, int rows, int dim, FloatMemory xhat,
            FloatMemory invStd, FloatMemory y);

    /** Writes dx [T, D] and the parameter gradients dgamma, dbeta [D]. */
    void backward(FloatMemory dy, FloatMemory xhat, FloatMemory invStd, float[] gamma, int rows, int dim,
            FloatMemory dx, float[] dgamma, float[] dbeta);
}
