package dev.qvit.model.nn.fused;

/**
 * DGD's per-head similarity distance in one pass each way, float32, on dense [blocks, N, d] student and teacher
 * tensors (a block is one image's head):
 * <pre>
 *   M = x x^T,  G = M / (||M||_F + eps),  distance = ||G_S - G_T||_F                     per block
 *   gradient:   dG = w D / (images (distance + eps)),  dM = (dG - G_S &lt;G_S, dG&gt;) / (||M_S||_F + eps),
 *               dx_S = dM x_S + dM^T x_S = 2 dM x_S
 * </pre>
 * with D = G_S - G_T and w the loss weight. Products are fused multiply-adds in index order; sums over an N x N
 * matrix keep {@link LsqKernel#PARTIALS} partial sums (column j to partial j % PARTIALS, rows in order), so every
 * implementation gives the same bits. M is exactly symmetric (m_ij and m_ji are the same chain: fma commutes in
 * its product), and so are D and dM, element-wise functions of symmetric matrices: dM^T x is dM x to the bit. The
 * matrices are laid out [N, {@link #padded}] with zero padding, a multiple of PARTIALS, so that the layout and with
 * it the sums are the same whatever the machine's vector length.
 */
public interface DistillationKernel {
    /** eps of the denominators, as float32 adds it. */
    float EPS = 1e-12f;

    /** The row length of the N x N matrices: n rounded up to a multiple of {@link LsqKernel#PARTIALS}. */
    static int padded(int n) {
        return (n + LsqKernel.PARTIALS - 1) / LsqKernel.PARTIALS * LsqKernel.PARTIALS;
    }

    /**
     * The distance of every block (a reused array: read it before the next call); when {@code gradient} is not
     * null, writes w d(distance summed over blocks, divided by images) / d student into it.
     */
    float[] distances(FloatMemory student, FloatMemory teacher, int blocks, int n, int d, int images, float weight,
            FloatMemory gradient);
}
