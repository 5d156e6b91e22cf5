package dev.qvit.model.nn.fused;

/**
 * The attention core of every head in one pass each way, float32, on dense [heads, N, d] queries, keys and values
 * and [heads, N, N] attention:
 * <pre>
 *   scores:    A = softmax(scale q k^T) row by row, s_ij = scale * sum_c q_ic k_jc (fused multiply-adds in c order)
 *   context:   ctx = A v                            (ctx_i = sum_j a_ij v_j in j order)
 *   backward:  dA = dctx v^T, dv = A^T dctx;  dS = (dA - rowsum(dA * A)) * A;  dq = scale dS k, dk = scale dS^T q
 * </pre>
 * With a score bias (Swin's relative position bias and shifted-window mask) head h adds plane h mod P of a
 * [P, N, N] term to its scaled scores before the softmax, s_ij = scale * (q k^T)_ij + bias_ij, and the bias's
 * gradient is the sum of dS over the heads of each plane.
 * The softmax's exp is {@link Exp}'s polynomial and its row sums keep {@link LsqKernel#PARTIALS} partial sums
 * (element j to partial j % PARTIALS, added up in order), so every implementation gives the same bits.
 * Probabilities below the smallest normal float are written as 0 (a masked pair's exp(-100) / sum): arithmetic on
 * subnormal floats is many times slower on these CPUs, and these values are 0 to any printed digit.
 * The attention quantizer of a student runs between {@link #scores} and {@link #context}.
 */
public interface AttentionKernel {
    void scores(FloatMemory q, FloatMemory k, int heads, int n, int d, float scale, FloatMemory attention);

    /** p, or 0 when p is below the smallest normal float. */
    static float flushSubnormal(float p) {
        return p < Float.MIN_NORMAL ? 0f : p;
    }

    /** As {@link #scores}, plane h mod {@code planes} of bias [planes, N, N] added to head h's scaled scores. */
    void biasedScores(FloatMemory q, FloatMemory k, FloatMemory bias, int planes, int heads, int n, int d, float scale,
            FloatMemory attention);

    void context(FloatMemory attention, FloatMemory v, int heads, int n, int d, FloatMemory context);

    /** dA = dctx v^T, dv = A^T dctx (A: the attention the context used). */
    void contextBackward(FloatMemory attention, FloatMemory v, FloatMemory dContext, int heads, int n, int d,
            FloatMemory dAttention, FloatMemory dv);

    /** Through the softmax and the scores: dq, dk from the softmax's own attention and dA. */
    void scoresBackward(FloatMemory attention, FloatMemory dAttention, FloatMemory q, FloatMemory k, int heads, int n,
            int d, float scale, FloatMemory dq, FloatMemory dk);

    /** dBias [planes, N, N] = the sum of dS over the heads h with h mod planes = p, in order of h. */
    void biasGradient(FloatMemory attention, FloatMemory dAttention, int heads, int n, int planes, FloatMemory dBias);

    /**
     * A layer's rows split into heads: x [B, N, T, H, d] -> out [T, B, H, N, d] (T = 3 for q, k, v out of the qkv
     * layer; 1 for a context's gradient). A copy: every implementation writes the same bits.
     */
    void toHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out);

    /** The heads merged into rows, the inverse of {@link #toHeads}: x [T, B, H, N, d] -> out [B, N, T, H, d]. */
    void fromHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out);
}
