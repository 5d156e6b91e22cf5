package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.IN_REGISTER;
import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;
import static dev.qvit.model.nn.fused.VectorMemory.load;
import static dev.qvit.model.nn.fused.VectorMemory.store;
import static dev.qvit.model.nn.fused.VectorProducts.padded;
import static dev.qvit.model.nn.fused.VectorProducts.times;
import static dev.qvit.model.nn.fused.VectorProducts.timesTransposed;
import static dev.qvit.model.nn.fused.VectorProducts.transpose;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AttentionKernel} with the Vector API for head sizes that are a multiple of the vector length. Each head's
 * q, k, v (and attention) are read into arrays in one bulk copy, worked on there with the register-blocked
 * {@link VectorProducts} (scores = q k^T and dA = dctx v^T against a transposed, zero-padded right factor; ctx = A v,
 * dv = A^T dctx, dq = dS k and dk = dS^T q with the transposed left factors read in place through strides) and
 * written back in one. Every element sees the operations of {@link ScalarAttention} in its order. The loop bodies
 * call no method of ours with vectors: on JDK 17 a vector that crosses a call that was not inlined is boxed.
 */
final class VectorAttention implements AttentionKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] partials = new float[P];
    private float[] transposed = new float[0];
    private float[] product = new float[0];
    private float[] qh = new float[0];
    private float[] kh = new float[0];
    private float[] vh = new float[0];
    private float[] ah = new float[0];
    private float[] bh = new float[0];
    private float[] out1 = new float[0];
    private float[] out2 = new float[0];
    private float[] biasSum = new float[0];

    static boolean supports(int d) {
        return d % L == 0;
    }

    private void size(int n, int d) {
        int padded = padded(n);
        if (qh.length != n * d || ah.length != n * n || product.length != n * padded) {
            qh = new float[n * d];
            kh = new float[n * d];
            vh = new float[n * d];
            out1 = new float[n * d];
            out2 = new float[n * d];
            ah = new float[n * n];
            bh = new float[n * n];
            product = new float[n * padded];
            transposed = new float[d * padded];
        }
    }

    @Override
    public void scores(FloatMemory q, FloatMemory k, int heads, int n, int d, float scale, FloatMemory attention) {
        size(n, d);
        int padded = padded(n);
        for (int h = 0; h < heads; h++) {
            q.read(h * n * d, qh, n * d);
            k.read(h * n * d, kh, n * d);
            transpose(kh, n, d, padded, transposed);
            timesTransposed(qh, n, d, transposed, padded, product);                     // [n, padded] = q k^T
            for (int i = 0; i < n; i++) {
                softmaxRow(product, i * padded, n, scale, ah, i * n);
            }
            attention.write(h * n * n, ah, n * n);
        }
    }

    @Override
    public void biasedScores(FloatMemory q, FloatMemory k, FloatMemory bias, int planes, int heads, int n, int d,
            float scale, FloatMemory attention) {
        size(n, d);
        int padded = padded(n);
        for (int h = 0; h < heads; h++) {
            q.read(h * n * d, qh, n * d);
            k.read(h * n * d, kh, n * d);
            bias.read(h % planes * n * n, bh, n * n);
            transpose(kh, n, d, padded, transposed);
            timesTransposed(qh, n, d, transposed, padded, product);                     // [n, padded] = q k^T
            for (int i = 0; i < n; i++) {
                addScaledBias(product, i * padded, n, scale, bh, i * n);
                softmaxRow(product, i * padded, n, 1f, ah, i * n);             // times 1: exact
            }
            attention.write(h * n * n, ah, n * n);
        }
    }

    /** s[from, from + n) = scale * s + bias[at, at + n), as {@link ScalarAttention#biasedScores}. */
    private static void addScaledBias(float[] s, int from, int n, float scale, float[] bias, int at) {
        int body = n - n % L;
        for (int j = 0; j < body; j += L) {
            FloatVector.fromArray(SPECIES, s, from + j).mul(scale).add(FloatVector.fromArray(SPECIES, bias, at + j))
                    .intoArray(s, from + j);
        }
        for (int j = body; j < n; j++) {
            s[from + j] = s[from + j] * scale + bias[at + j];
        }
    }

    /**
     * out[at, at + n) = softmax(scale * s[from, from + n)); s[from, from + n) is overwritten. The scale is applied
     * where s is read (rounding is monotone, so the maximum of the scaled row is the scaled maximum, bit for bit):
     * one pass over the row fewer than scaling it first.
     */
    private void softmaxRow(float[] s, int from, int n, float scale, float[] out, int at) {
        int body = n - n % L;
        FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < body; j += L) {
            maxes = maxes.max(FloatVector.fromArray(SPECIES, s, from + j).mul(scale));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);      // exact in any order
        for (int j = body; j < n; j++) {
            max = Math.max(max, s[from + j] * scale);
        }
        Arrays.fill(partials, 0f);
        FloatVector sums = FloatVector.zero(SPECIES);
        for (int j = 0; j < body; j += L) {
            // VectorExp.exp written out: see the class comment
            FloatVector x = FloatVector.fromArray(SPECIES, s, from + j).mul(scale).sub(max).max(Exp.FLOOR);
            FloatVector kk = x.mul(Exp.LOG2E).add(LsqKernel.MAGIC).sub(LsqKernel.MAGIC);
            FloatVector f = x.sub(kk.mul(Exp.LN2_HI)).sub(kk.mul(Exp.LN2_LO));
            FloatVector z = f.mul(f);
            FloatVector p = f.mul(Exp.E0).add(Exp.E1).mul(f).add(Exp.E2).mul(f).add(Exp.E3).mul(f)
                    .add(Exp.E4).mul(f).add(Exp.E5).mul(z).add(f).add(1f);
            FloatVector e = p.mul(kk.add(Exp.EXPONENT_MAGIC).reinterpretAsInts().sub(Exp.EXPONENT_BITS)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(s, from + j);
            if (IN_REGISTER) {
                sums = sums.add(e);
            } else {
                FloatVector.fromArray(SPECIES, partials, j % P).add(e).intoArray(partials, j % P);
            }
        }
        if (IN_REGISTER) {
            sums.intoArray(partials, 0);
        }
        for (int j = body; j < n; j++) {
            s[from + j] = Exp.exp(s[from + j] * scale - max);
            partials[j % P] += s[from + j];
        }
        float sum = ScalarLayerNorm.sum(partials);
        for (int j = 0; j < body; j += L) {
            FloatVector p = FloatVector.fromArray(SPECIES, s, from + j).div(sum);
            p.blend(0f, p.compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(out, at + j);
        }
        for (int j = body; j < n; j++) {
            out[at + j] = AttentionKernel.flushSubnormal(s[from + j] / sum);
        }
    }

    @Override
    public void context(FloatMemory attention, FloatMemory v, int heads, int n, int d, FloatMemory context) {
        size(n, d);
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            v.read(h * n * d, vh, n * d);
            times(ah, n, n, n, 1, vh, d, 1f, out1);                                     // [n, d] = A v
            context.write(h * n * d, out1, n * d);
        }
    }

    @Override
    public void contextBackward(FloatMemory attention, FloatMemory v, FloatMemory dContext, int heads, int n, int d,
            FloatMemory dAttention, FloatMemory dv) {
        size(n, d);
        int padded = padded(n);
        float[] dch = qh;
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            v.read(h * n * d, vh, n * d);
            dContext.read(h * n * d, dch, n * d);
            transpose(vh, n, d, padded, transposed);
            timesTransposed(dch, n, d, transposed, padded, product);                    // [n, padded] = dctx v^T
            for (int i = 0; i < n; i++) {
                System.arraycopy(product, i * padded, bh, i * n, n);
            }
            times(ah, n, n, 1, n, dch, d, 1f, out1);                                    // [n, d] = A^T dctx
            dAttention.write(h * n * n, bh, n * n);
            dv.write(h * n * d, out1, n * d);
        }
    }

    @Override
    public void scoresBackward(FloatMemory attention, FloatMemory dAttention, FloatMemory q, FloatMemory k, int heads,
            int n, int d, float scale, FloatMemory dq, FloatMemory dk) {
        size(n, d);
        for (int h = 0; h < heads; h++) {
            attention.read(h * n * n, ah, n * n);
            dAttention.read(h * n * n, bh, n * n);
            q.read(h * n * d, qh, n * d);
            k.read(h * n * d, kh, n * d);
            softmaxGradient(ah, bh, n);
            times(bh, n, n, n, 1, kh, d, scale, out1);                                  // [n, d] = scale dS k
            times(bh, n, n, 1, n, qh, d, scale, out2);                                  // [n, d] = scale dS^T q
            dq.write(h * n * d, out1, n * d);
            dk.write(h * n * d, out2, n * d);
        }
    }

    @Override
    public void biasGradient(FloatMemory attention, FloatMemory dAttention, int heads, int n, int planes,
            FloatMemory dBias) {
        if (ah.length != n * n || biasSum.length != n * n) {
            ah = new float[n * n];
            bh = new float[n * n];
            biasSum = new float[n * n];
        }
        float[] sum = biasSum;
        for (int p = 0; p < Math.min(planes, heads); p++) {
            dBias.read(p * n * n, sum, n * n);
            for (int h = p; h < heads; h += planes) {
                attention.read(h * n * n, ah, n * n);
                dAttention.read(h * n * n, bh, n * n);
                softmaxGradient(ah, bh, n);
                for (int j = 0; j < n * n - (n * n) % L; j += L) {
                    FloatVector.fromArray(SPECIES, sum, j).add(FloatVector.fromArray(SPECIES, bh, j)).intoArray(sum, j);
                }
                for (int j = n * n - (n * n) % L; j < n * n; j++) {
                    sum[j] += bh[j];
                }
            }
            dBias.write(p * n * n, sum, n * n);
        }
    }

    /** da [n, n] becomes dS = (dA - rowsum(dA * A)) * A, row by row, in {@link ScalarAttention}'s order. */
    private void softmaxGradient(float[] a, float[] da, int n) {
        int body = n - n % L;
        for (int i = 0; i < n; i++) {
            int at = i * n;
            Arrays.fill(partials, 0f);
            FloatVector sums = FloatVector.zero(SPECIES);
            for (int j = 0; j < body; j += L) {
                FloatVector term = FloatVector.fromArray(SPECIES, da, at + j).mul(FloatVector.fromArray(SPECIES, a, at + j));
                if (IN_REGISTER) {
                    sums = sums.add(term);
                } else {
                    FloatVector.fromArray(SPECIES, partials, j % P).add(term).intoArray(partials, j % P);
                }
            }
            if (IN_REGISTER) {
                sums.intoArray(partials, 0);
            }
            for (int j = body; j < n; j++) {
                partials[j % P] += da[at + j] * a[at + j];
            }
            float rowSum = ScalarLayerNorm.sum(partials);
            for (int j = 0; j < body; j += L) {
                FloatVector.fromArray(SPECIES, da, at + j).sub(rowSum).mul(FloatVector.fromArray(SPECIES, a, at + j))
                        .intoArray(da, at + j);
            }
            for (int j = body; j < n; j++) {
                da[at + j] = (da[at + j] - rowSum) * a[at + j];
            }
        }
    }

    @Override
    public void toHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        copyHeads(x, images, n, parts, heads, d, out, true);
    }

    @Override
    public void fromHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        copyHeads(x, images, n, parts, heads, d, out, false);
    }

    /** {@link ScalarAttention}'s chunk copies, a vector at a time (d is a multiple of L). */
    private static void copyHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out,
            boolean toHeads) {
        int rows = 0;
        for (int b = 0; b < images; b++) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < parts; t++) {
                    for (int h = 0; h < heads; h++, rows += d) {
                        int head = (((t * images + b) * heads + h) * n + i) * d;
                        int from = toHeads ? rows : head;
                        int to = toHeads ? head : rows;
                        for (int c = 0; c < d; c += L) {
                            store(load(x, from + c), out, to + c);
                        }
                    }
                }
            }
        }
    }
}
