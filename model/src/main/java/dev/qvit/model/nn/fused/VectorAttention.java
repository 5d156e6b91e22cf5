package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AttentionKernel} with the Vector API for head sizes that are a multiple of the vector length. Each head's
 * q, k, v (and attention) are read into arrays in one bulk copy, worked on there and written back in one: a row of
 * scores is a sum over c of q_ic times row c of k^T (transposed and padded), a row of the context a sum over j of
 * a_ij times row j of v. Every element sees the operations of {@link ScalarAttention} in its order. The loop bodies
 * call no method of ours with vectors: on JDK 17 a vector that crosses a call that was not inlined is boxed.
 */
final class VectorAttention implements AttentionKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] partials = new float[P];
    private float[] row = new float[0];
    private float[] transposed = new float[0];
    private float[] qh = new float[0];
    private float[] kh = new float[0];
    private float[] vh = new float[0];
    private float[] ah = new float[0];
    private float[] bh = new float[0];
    private float[] out1 = new float[0];
    private float[] out2 = new float[0];

    static boolean supports(int d) {
        return d % L == 0;
    }

    private void size(int n, int d) {
        int padded = padded(n);
        if (qh.length != n * d || ah.length != n * n || row.length != padded) {
            qh = new float[n * d];
            kh = new float[n * d];
            vh = new float[n * d];
            out1 = new float[n * d];
            out2 = new float[n * d];
            ah = new float[n * n];
            bh = new float[n * n];
            row = new float[padded];
            transposed = new float[d * padded];
        }
    }

    @Override
    public void scores(FloatMemory q, FloatMemory k, int heads, int n, int d, float scale, FloatMemory attention) {
        size(n, d);
        int padded = padded(n);
        int body = n - n % L;
        float[] s = row;
        for (int h = 0; h < heads; h++) {
            q.read(h * n * d, qh, n * d);
            k.read(h * n * d, kh, n * d);
            transpose(kh, n, d, padded, transposed);
            for (int i = 0; i < n; i++) {
                rowTimesTransposed(qh, i * d, d, transposed, padded, s);
                for (int j = 0; j < padded; j += L) {
                    FloatVector.fromArray(SPECIES, s, j).mul(scale).intoArray(s, j);
                }
                FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < body; j += L) {
                    maxes = maxes.max(FloatVector.fromArray(SPECIES, s, j));
                }
                float max = maxes.reduceLanes(VectorOperators.MAX);      // exact in any order
                for (int j = body; j < n; j++) {
                    max = Math.max(max, s[j]);
                }
                Arrays.fill(partials, 0f);
                for (int j = 0; j < body; j += L) {
                    // VectorExp.exp written out: see the class comment
                    FloatVector x = FloatVector.fromArray(SPECIES, s, j).sub(max).max(Exp.FLOOR);
                    FloatVector kk = x.mul(Exp.LOG2E).add(LsqKernel.MAGIC).sub(LsqKernel.MAGIC);
                    FloatVector f = x.sub(kk.mul(Exp.LN2_HI)).sub(kk.mul(Exp.LN2_LO));
                    FloatVector z = f.mul(f);
                    FloatVector p = f.mul(Exp.E0).add(Exp.E1).mul(f).add(Exp.E2).mul(f).add(Exp.E3).mul(f)
                            .add(Exp.E4).mul(f).add(Exp.E5).mul(z).add(f).add(1f);
                    FloatVector e = p.mul(kk.add(Exp.EXPONENT_MAGIC).reinterpretAsInts().sub(Exp.EXPONENT_BITS)
                            .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    e.intoArray(s, j);
                    FloatVector.fromArray(SPECIES, partials, j % P).add(e).intoArray(partials, j % P);
                }
                for (int j = body; j < n; j++) {
                    s[j] = Exp.exp(s[j] - max);
                    partials[j % P] += s[j];
                }
                float sum = ScalarLayerNorm.sum(partials);
                int at = i * n;
                for (int j = 0; j < body; j += L) {
                    FloatVector.fromArray(SPECIES, s, j).div(sum).intoArray(ah, at + j);
                }
                for (int j = body; j < n; j++) {
                    ah[at + j] = s[j] / sum;
                }
            }
            attention.write(h * n * n, ah, n * n);
        }
    }

    /** s[0, padded) = sum over c of x[at + c] * kT[c, :], fused multiply-adds in c order (one vector at a time). */
    private static void rowTimesTransposed(float[] x, int at, int d, float[] kT, int padded, float[] s) {
        for (int j = 0; j < padded; j += L) {
            FloatVector sum = FloatVector.zero(SPECIES);
            for (int c = 0; c < d; c++) {
                sum = FloatVector.broadcast(SPECIES, x[at + c]).fma(FloatVector.fromArray(SPECIES, kT, c * padded + j),
                        sum);
            }
            sum.intoArray(s, j);
        }
    }

    @Override
    public void context(FloatMemory attention, FloatMemory v, int heads, int n, int d, FloatMemory context) {
        size(n, d);
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            v.read(h * n * d, vh, n * d);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c += L) {
                    FloatVector sum = FloatVector.zero(SPECIES);
                    for (int j = 0; j < n; j++) {
                        sum = FloatVector.broadcast(SPECIES, ah[i * n + j]).fma(FloatVector.fromArray(SPECIES, vh,
                                j * d + c), sum);
                    }
                    sum.intoArray(out1, i * d + c);
                }
            }
            context.write(h * n * d, out1, n * d);
        }
    }

    @Override
    public void contextBackward(FloatMemory attention, FloatMemory v, FloatMemory dContext, int heads, int n, int d,
            FloatMemory dAttention, FloatMemory dv) {
        size(n, d);
        int padded = padded(n);
        float[] s = row;
        float[] dch = qh;
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            v.read(h * n * d, vh, n * d);
            dContext.read(h * n * d, dch, n * d);
            transpose(vh, n, d, padded, transposed);
            Arrays.fill(out1, 0f);
            for (int i = 0; i < n; i++) {
                rowTimesTransposed(dch, i * d, d, transposed, padded, s);
                System.arraycopy(s, 0, bh, i * n, n);
                for (int c = 0; c < d; c += L) {
                    FloatVector upstream = FloatVector.fromArray(SPECIES, dch, i * d + c);
                    for (int j = 0; j < n; j++) {
                        int at = j * d + c;
                        FloatVector.broadcast(SPECIES, ah[i * n + j]).fma(upstream, FloatVector.fromArray(SPECIES,
                                out1, at)).intoArray(out1, at);
                    }
                }
            }
            dAttention.write(h * n * n, bh, n * n);
            dv.write(h * n * d, out1, n * d);
        }
    }

    @Override
    public void scoresBackward(FloatMemory attention, FloatMemory dAttention, FloatMemory q, FloatMemory k, int heads,
            int n, int d, float scale, FloatMemory dq, FloatMemory dk) {
        size(n, d);
        float[] ds = row;
        int body = n - n % L;
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            dAttention.read(h * n * n, bh, n * n);
            q.read(h * n * d, qh, n * d);
            k.read(h * n * d, kh, n * d);
            Arrays.fill(out2, 0f);
            for (int i = 0; i < n; i++) {
                int at = i * n;
                Arrays.fill(partials, 0f);
                for (int j = 0; j < body; j += L) {
                    FloatVector.fromArray(SPECIES, partials, j % P).add(FloatVector.fromArray(SPECIES, bh, at + j)
                            .mul(FloatVector.fromArray(SPECIES, ah, at + j))).intoArray(partials, j % P);
                }
                for (int j = body; j < n; j++) {
                    partials[j % P] += bh[at + j] * ah[at + j];
                }
                float rowSum = ScalarLayerNorm.sum(partials);
                for (int j = 0; j < body; j += L) {
                    FloatVector.fromArray(SPECIES, bh, at + j).sub(rowSum).mul(FloatVector.fromArray(SPECIES, ah,
                            at + j)).intoArray(ds, j);
                }
                for (int j = body; j < n; j++) {
                    ds[j] = (bh[at + j] - rowSum) * ah[at + j];
                }
                for (int c = 0; c < d; c += L) {
                    FloatVector qi = FloatVector.fromArray(SPECIES, qh, i * d + c);
                    FloatVector sum = FloatVector.zero(SPECIES);
                    for (int j = 0; j < n; j++) {
                        FloatVector dsj = FloatVector.broadcast(SPECIES, ds[j]);
                        int kj = j * d + c;
                        sum = dsj.fma(FloatVector.fromArray(SPECIES, kh, kj), sum);
                        dsj.fma(qi, FloatVector.fromArray(SPECIES, out2, kj)).intoArray(out2, kj);
                    }
                    sum.mul(scale).intoArray(out1, i * d + c);
                }
            }
            for (int j = 0; j < n * d; j += L) {
                FloatVector.fromArray(SPECIES, out2, j).mul(scale).intoArray(out2, j);
            }
            dq.write(h * n * d, out1, n * d);
            dk.write(h * n * d, out2, n * d);
        }
    }

    /** x[j * d + c] for j &lt; n into kT[c * padded + j], the padding zero. */
    private static void transpose(float[] x, int n, int d, int padded, float[] kT) {
        for (int c = 0; c < d; c++) {
            int base = c * padded;
            for (int j = 0; j < n; j++) {
                kT[base + j] = x[j * d + c];
            }
            Arrays.fill(kT, base + n, base + padded, 0f);
        }
    }

    private static int padded(int n) {
        return (n + L - 1) / L * L;
    }
}
