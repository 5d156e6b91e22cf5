package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.IN_REGISTER;
import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;
import static dev.qvit.model.nn.fused.VectorProducts.times;
import static dev.qvit.model.nn.fused.VectorProducts.timesTransposed;
import static dev.qvit.model.nn.fused.VectorProducts.transpose;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * {@link DistillationKernel} with the Vector API for head sizes that are a multiple of the vector length: per block
 * the similarities with {@link VectorProducts}, the element-wise work over the zero-padded [N, padded] matrices one
 * vector at a time (L divides PARTIALS and padded, so column j adds to partial j % PARTIALS), element for element as
 * {@link ScalarDistillation}. The loop bodies call no method of ours with vectors (JDK 17 boxes them).
 */
final class VectorDistillation implements DistillationKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] partials = new float[P];
    private float[] distances = new float[0];
    private float[] xs = new float[0];
    private float[] xt = new float[0];
    private float[] transposed = new float[0];
    private float[] gs = new float[0];
    private float[] gt = new float[0];
    private float[] out1 = new float[0];

    static boolean supports(int d) {
        return d % L == 0;
    }

    @Override
    public float[] distances(FloatMemory student, FloatMemory teacher, int blocks, int n, int d, int images,
            float weight, FloatMemory gradient) {
        int padded = DistillationKernel.padded(n);
        size(blocks, n, d, padded);
        int area = n * padded;
        for (int b = 0; b < blocks; b++) {
            student.read(b * n * d, xs, n * d);
            teacher.read(b * n * d, xt, n * d);
            float normS = normalizedSimilarity(xs, n, d, padded, gs);
            normalizedSimilarity(xt, n, d, padded, gt);
            FloatVector acc = FloatVector.zero(SPECIES);
            Arrays.fill(partials, 0f);
            for (int e = 0; e < area; e += L) {                             // gt becomes D = G_S - G_T
                FloatVector diff = FloatVector.fromArray(SPECIES, gs, e).sub(FloatVector.fromArray(SPECIES, gt, e));
                diff.intoArray(gt, e);
                if (IN_REGISTER) {
                    acc = acc.add(diff.mul(diff));
                } else {
                    FloatVector.fromArray(SPECIES, partials, e % P).add(diff.mul(diff)).intoArray(partials, e % P);
                }
            }
            if (IN_REGISTER) {
                acc.intoArray(partials, 0);
            }
            float distance = (float) Math.sqrt(ScalarLayerNorm.sum(partials));
            distances[b] = distance;
            if (gradient == null) {
                continue;
            }
            float inv = weight / ((distance + EPS) * images);
            acc = FloatVector.zero(SPECIES);
            Arrays.fill(partials, 0f);
            for (int e = 0; e < area; e += L) {                             // gt becomes dG
                FloatVector dG = FloatVector.fromArray(SPECIES, gt, e).mul(inv);
                dG.intoArray(gt, e);
                FloatVector term = dG.mul(FloatVector.fromArray(SPECIES, gs, e));
                if (IN_REGISTER) {
                    acc = acc.add(term);
                } else {
                    FloatVector.fromArray(SPECIES, partials, e % P).add(term).intoArray(partials, e % P);
                }
            }
            if (IN_REGISTER) {
                acc.intoArray(partials, 0);
            }
            float dot = ScalarLayerNorm.sum(partials);
            for (int e = 0; e < area; e += L) {                             // gt becomes dM
                FloatVector.fromArray(SPECIES, gt, e).sub(FloatVector.fromArray(SPECIES, gs, e).mul(dot)).div(normS)
                        .intoArray(gt, e);
            }
            times(gt, n, n, padded, 1, xs, d, 2f, out1);                    // dM x + dM^T x = 2 dM x
            gradient.write(b * n * d, out1, n * d);
        }
        return distances;
    }

    /** g [n, padded] = x x^T / (||x x^T||_F + eps), zero in the padding; returns the denominator. */
    private float normalizedSimilarity(float[] x, int n, int d, int padded, float[] g) {
        transpose(x, n, d, padded, transposed);
        timesTransposed(x, n, d, transposed, padded, g);
        FloatVector acc = FloatVector.zero(SPECIES);
        Arrays.fill(partials, 0f);
        for (int e = 0; e < n * padded; e += L) {
            FloatVector m = FloatVector.fromArray(SPECIES, g, e);
            if (IN_REGISTER) {
                acc = acc.add(m.mul(m));
            } else {
                FloatVector.fromArray(SPECIES, partials, e % P).add(m.mul(m)).intoArray(partials, e % P);
            }
        }
        if (IN_REGISTER) {
            acc.intoArray(partials, 0);
        }
        float norm = (float) Math.sqrt(ScalarLayerNorm.sum(partials)) + EPS;
        for (int e = 0; e < n * padded; e += L) {
            FloatVector.fromArray(SPECIES, g, e).div(norm).intoArray(g, e);
        }
        return norm;
    }

    private void size(int blocks, int n, int d, int padded) {
        if (distances.length < blocks) {
            distances = new float[blocks];
        }
        if (xs.length != n * d || gs.length != n * padded) {
            xs = new float[n * d];
            xt = new float[n * d];
            out1 = new float[n * d];
            gs = new float[n * padded];
            gt = new float[n * padded];
            transposed = new float[d * padded];
        }
    }
}
