package dev.qvit.model.nn.fused;

/**
 * The element-wise work of one LSQ quantizer (method doc section 2) in one pass each way, over a dense tensor seen
 * as [outer, channels, inner]:
 * <pre>
 *   forward:  v = x / s (+ round(z)),  out = (rint(clamp(v, Qn, Qp)) - round(z)) * s
 *   backward: dx = u where Qn &lt;= v &lt;= Qp, else 0
 *             stepSums[c] = sum over c of u * (rint(c) - c inside; c - round(z) outside), c = clamp(v)
 *             zeroSums[c] = sum over c of u * outside
 * </pre>
 * The per-element arithmetic is that of the ND4J reference path operation for operation, so v, out and dx are
 * bit-identical to it; the sums differ from ND4J's only in summation order. Implementations agree with each other
 * bit for bit (see {@link ScalarLsq}).
 */
public interface LsqKernel {
    /** 1.5 * 2^23: (c + MAGIC) - MAGIC rounds |c| &lt; 2^22 to the nearest integer, ties to even, as rint does. */
    float MAGIC = 12582912f;
    /**
     * Partial sums of a run summed along contiguous memory, added up in order at its end: fixed, so that every
     * machine's vector width (4, 8 or 16 floats) and the scalar fallback sum in the same order.
     */
    int PARTIALS = 16;

    void forward(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out);

    /** Writes dx and the per-channel sums (the caller scales them into the step and zero-point gradients). */
    void backward(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, float[] stepSums, float[] zeroSums);
}
