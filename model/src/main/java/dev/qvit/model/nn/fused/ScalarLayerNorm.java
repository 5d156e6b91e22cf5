package dev.qvit.model.nn.fused;

import java.util.Arrays;

/** {@link LayerNormKernel} as plain loops: the fallback; row sums as {@link LsqKernel#PARTIALS} partial sums. */
final class ScalarLayerNorm implements LayerNormKernel {
    private final float[] first = new float[LsqKernel.PARTIALS];
    private final float[] second = new float[LsqKernel.PARTIALS];

    @Override
    public void forward(FloatMemory x, float[] gamma, float[] beta, float eps, int rows, int dim, FloatMemory xhat,
            FloatMemory invStd, FloatMemory y) {
        for (int r = 0; r < rows; r++) {
            int row = r * dim;
            Arrays.fill(first, 0f);
            for (int j = 0; j < dim; j++) {
                first[j % LsqKernel.PARTIALS] += x.get(row + j);
            }
            float mean = sum(first) / dim;
            Arrays.fill(first, 0f);
            for (int j = 0; j < dim; j++) {
                float centred = x.get(row + j) - mean;
                first[j % LsqKernel.PARTIALS] += centred * centred;
            }
            float inv = 1f / (float) Math.sqrt(sum(first) / dim + eps);
            invStd.put(r, inv);
            for (int j = 0; j < dim; j++) {
                float normalized = (x.get(row + j) - mean) * inv;
                xhat.put(row + j, normalized);
                y.put(row + j, normalized * gamma[j] + beta[j]);
            }
        }
    }

    @Override
    public void backward(FloatMemory dy, FloatMemory xhat, FloatMemory invStd, float[] gamma, int rows, int dim,
            FloatMemory dx, float[] dgamma, float[] dbeta) {
        Arrays.fill(dgamma, 0, dim, 0f);
        Arrays.fill(dbeta, 0, dim, 0f);
        for (int r = 0; r < rows; r++) {
            int row = r * dim;
            Arrays.fill(first, 0f);
            Arrays.fill(second, 0f);
            for (int j = 0; j < dim; j++) {
                float upstream = dy.get(row + j);
                float normalized = xhat.get(row + j);
                float g = upstream * gamma[j];
                first[j % LsqKernel.PARTIALS] += g;
                second[j % LsqKernel.PARTIALS] += g * normalized;
                dgamma[j] += upstream * normalized;
                dbeta[j] += upstream;
            }
            float meanG = sum(first) / dim;
            float meanGx = sum(second) / dim;
            float inv = invStd.get(r);
            for (int j = 0; j < dim; j++) {
                float g = dy.get(row + j) * gamma[j];
                dx.put(row + j, (g - xhat.get(row + j) * meanGx - meanG) * inv);
            }
        }
    }

    /** The partial sums added up in order. */
    static float sum(float[] partials) {
        float s = 0f;
        for (float p : partials) {
            s += p;
        }
        return s;
    }
}
