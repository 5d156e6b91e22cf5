package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The small products of attention and distillation on arrays, register-blocked: several rows and columns stay in
 * registers so that the fused multiply-adds do not wait on each other. Each element is a chain of fused
 * multiply-adds in index order from zero, as {@link ScalarProducts} computes it.
 */
final class VectorProducts {
    private VectorProducts() {
    }

    /**
     * out[i * padded + j] = sum over c of x[i * d + c] * kT[c * padded + j] for i &lt; rows, j &lt; padded: fused
     * multiply-adds in c order from zero, two rows by four vectors of columns at a time.
     */
    static void timesTransposed(float[] x, int rows, int d, float[] kT, int padded, float[] out) {
        int i = 0;
        for (; i + 2 <= rows; i += 2) {
            int x0 = i * d;
            int x1 = x0 + d;
            int j = 0;
            for (; j + 4 * L <= padded; j += 4 * L) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector b0 = a0;
                FloatVector b1 = a0;
                FloatVector b2 = a0;
                FloatVector b3 = a0;
                for (int c = 0; c < d; c++) {
                    int kc = c * padded + j;
                    FloatVector k0 = FloatVector.fromArray(SPECIES, kT, kc);
                    FloatVector k1 = FloatVector.fromArray(SPECIES, kT, kc + L);
                    FloatVector k2 = FloatVector.fromArray(SPECIES, kT, kc + 2 * L);
                    FloatVector k3 = FloatVector.fromArray(SPECIES, kT, kc + 3 * L);
                    FloatVector u = FloatVector.broadcast(SPECIES, x[x0 + c]);
                    FloatVector w = FloatVector.broadcast(SPECIES, x[x1 + c]);
                    a0 = u.fma(k0, a0);
                    a1 = u.fma(k1, a1);
                    a2 = u.fma(k2, a2);
                    a3 = u.fma(k3, a3);
                    b0 = w.fma(k0, b0);
                    b1 = w.fma(k1, b1);
                    b2 = w.fma(k2, b2);
                    b3 = w.fma(k3, b3);
                }
                int o0 = i * padded + j;
                int o1 = o0 + padded;
                a0.intoArray(out, o0);
                a1.intoArray(out, o0 + L);
                a2.intoArray(out, o0 + 2 * L);
                a3.intoArray(out, o0 + 3 * L);
                b0.intoArray(out, o1);
                b1.intoArray(out, o1 + L);
                b2.intoArray(out, o1 + 2 * L);
                b3.intoArray(out, o1 + 3 * L);
            }
            for (; j < padded; j += L) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector b0 = a0;
                for (int c = 0; c < d; c++) {
                    FloatVector k0 = FloatVector.fromArray(SPECIES, kT, c * padded + j);
                    a0 = FloatVector.broadcast(SPECIES, x[x0 + c]).fma(k0, a0);
                    b0 = FloatVector.broadcast(SPECIES, x[x1 + c]).fma(k0, b0);
                }
                a0.intoArray(out, i * padded + j);
                b0.intoArray(out, (i + 1) * padded + j);
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < padded; j += L) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                for (int c = 0; c < d; c++) {
                    a0 = FloatVector.broadcast(SPECIES, x[i * d + c]).fma(FloatVector.fromArray(SPECIES, kT,
                            c * padded + j), a0);
                }
                a0.intoArray(out, i * padded + j);
            }
        }
    }

    /**
     * out[i * d + c] = scale * sum over j of a[i * rowStride + j * innerStride] * v[j * d + c] for i &lt; rows (the
     * strides read a or its transpose in place): fused multiply-adds in j order from zero, then the scale; eight
     * rows at a time (eight chains in flight keep both FMA units busy through their latency), then four, then one.
     */
    static void times(float[] a, int rows, int inner, int rowStride, int innerStride, float[] v, int d,
            float scale, float[] out) {
        int i = 0;
        for (; i + 8 <= rows; i += 8) {
            for (int c = 0; c < d; c += L) {
                timesEightRows(a, i, inner, rowStride, innerStride, v, d, c, scale, out);
            }
        }
        for (; i + 4 <= rows; i += 4) {
            int r0 = i * rowStride;
            int r1 = r0 + rowStride;
            int r2 = r1 + rowStride;
            int r3 = r2 + rowStride;
            for (int c = 0; c < d; c += L) {
                FloatVector s0 = FloatVector.zero(SPECIES);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int j = 0; j < inner; j++) {
                    FloatVector vj = FloatVector.fromArray(SPECIES, v, j * d + c);
                    int t = j * innerStride;
                    s0 = FloatVector.broadcast(SPECIES, a[r0 + t]).fma(vj, s0);
                    s1 = FloatVector.broadcast(SPECIES, a[r1 + t]).fma(vj, s1);
                    s2 = FloatVector.broadcast(SPECIES, a[r2 + t]).fma(vj, s2);
                    s3 = FloatVector.broadcast(SPECIES, a[r3 + t]).fma(vj, s3);
                }
                int o = i * d + c;
                s0.mul(scale).intoArray(out, o);
                s1.mul(scale).intoArray(out, o + d);
                s2.mul(scale).intoArray(out, o + 2 * d);
                s3.mul(scale).intoArray(out, o + 3 * d);
            }
        }
        for (; i < rows; i++) {
            for (int c = 0; c < d; c += L) {
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int j = 0; j < inner; j++) {
                    s0 = FloatVector.broadcast(SPECIES, a[i * rowStride + j * innerStride]).fma(
                            FloatVector.fromArray(SPECIES, v, j * d + c), s0);
                }
                s0.mul(scale).intoArray(out, i * d + c);
            }
        }
    }

    /** Rows i..i+7, columns c..c+L of {@link #times}. */
    private static void timesEightRows(float[] a, int i, int inner, int rowStride, int innerStride, float[] v, int d,
            int c, float scale, float[] out) {
        int r0 = i * rowStride;
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        FloatVector s5 = s0;
        FloatVector s6 = s0;
        FloatVector s7 = s0;
        for (int j = 0; j < inner; j++) {
            FloatVector vj = FloatVector.fromArray(SPECIES, v, j * d + c);
            int t = r0 + j * innerStride;
            s0 = FloatVector.broadcast(SPECIES, a[t]).fma(vj, s0);
            s1 = FloatVector.broadcast(SPECIES, a[t + rowStride]).fma(vj, s1);
            s2 = FloatVector.broadcast(SPECIES, a[t + 2 * rowStride]).fma(vj, s2);
            s3 = FloatVector.broadcast(SPECIES, a[t + 3 * rowStride]).fma(vj, s3);
            s4 = FloatVector.broadcast(SPECIES, a[t + 4 * rowStride]).fma(vj, s4);
            s5 = FloatVector.broadcast(SPECIES, a[t + 5 * rowStride]).fma(vj, s5);
            s6 = FloatVector.broadcast(SPECIES, a[t + 6 * rowStride]).fma(vj, s6);
            s7 = FloatVector.broadcast(SPECIES, a[t + 7 * rowStride]).fma(vj, s7);
        }
        int o = i * d + c;
        s0.mul(scale).intoArray(out, o);
        s1.mul(scale).intoArray(out, o + d);
        s2.mul(scale).intoArray(out, o + 2 * d);
        s3.mul(scale).intoArray(out, o + 3 * d);
        s4.mul(scale).intoArray(out, o + 4 * d);
        s5.mul(scale).intoArray(out, o + 5 * d);
        s6.mul(scale).intoArray(out, o + 6 * d);
        s7.mul(scale).intoArray(out, o + 7 * d);
    }

    /** x[j * d + c] for j &lt; n into kT[c * padded + j], the padding zero. */
    static void transpose(float[] x, int n, int d, int padded, float[] kT) {
        for (int c = 0; c < d; c++) {
            int base = c * padded;
            for (int j = 0; j < n; j++) {
                kT[base + j] = x[j * d + c];
            }
            Arrays.fill(kT, base + n, base + padded, 0f);
        }
    }

    /** n rounded up to whole vectors. */
    static int padded(int n) {
        return (n + L - 1) / L * L;
    }
}
