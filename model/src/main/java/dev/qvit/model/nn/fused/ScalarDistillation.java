package dev.qvit.model.nn.fused;

import java.util.Arrays;

/** {@link DistillationKernel} as plain loops: the fallback, and the order of operations the vector kernel keeps. */
final class ScalarDistillation implements DistillationKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] partials = new float[P];
    private float[] distances = new float[0];
    private float[] xs = new float[0];
    private float[] xt = new float[0];
    private float[] gs = new float[0];
    private float[] gt = new float[0];
    private float[] out1 = new float[0];

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
            Arrays.fill(partials, 0f);
            for (int e = 0; e < area; e++) {                                // gt becomes D = G_S - G_T
                gt[e] = gs[e] - gt[e];
                partials[e % P] += gt[e] * gt[e];
            }
            float distance = (float) Math.sqrt(ScalarLayerNorm.sum(partials));
            distances[b] = distance;
            if (gradient == null) {
                continue;
            }
            float inv = weight / ((distance + EPS) * images);
            Arrays.fill(partials, 0f);
            for (int e = 0; e < area; e++) {                                // gt becomes dG
                gt[e] = gt[e] * inv;
                partials[e % P] += gt[e] * gs[e];
            }
            float dot = ScalarLayerNorm.sum(partials);
            for (int e = 0; e < area; e++) {                                // gt becomes dM
                gt[e] = (gt[e] - gs[e] * dot) / normS;
            }
            ScalarProducts.times(gt, n, n, padded, 1, xs, d, 2f, out1);     // dM x + dM^T x = 2 dM x
            gradient.write(b * n * d, out1, n * d);
        }
        return distances;
    }

    /** g [n, padded] = x x^T / (||x x^T||_F + eps), zero in the padding; returns the denominator. */
    private float normalizedSimilarity(float[] x, int n, int d, int padded, float[] g) {
        ScalarProducts.timesTransposed(x, n, d, x, n, padded, g);
        Arrays.fill(partials, 0f);
        for (int e = 0; e < n * padded; e++) {
            partials[e % P] += g[e] * g[e];
        }
        float norm = (float) Math.sqrt(ScalarLayerNorm.sum(partials)) + EPS;
        for (int e = 0; e < n * padded; e++) {
            g[e] = g[e] / norm;
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
        }
    }
}
