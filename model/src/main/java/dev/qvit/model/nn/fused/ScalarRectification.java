package dev.qvit.model.nn.fused;

import java.util.Arrays;

/** {@link RectificationKernel} as plain loops: the fallback; block sums as {@link LsqKernel#PARTIALS} partials. */
final class ScalarRectification implements RectificationKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] first = new float[P];
    private final float[] second = new float[P];

    @Override
    public void moments(FloatMemory x, int images, int heads, int block, float[] shift, double[] sum,
            double[] sumOfSquares) {
        Arrays.fill(sum, 0, heads, 0);
        Arrays.fill(sumOfSquares, 0, heads, 0);
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                Arrays.fill(first, 0f);
                Arrays.fill(second, 0f);
                float c = shift[h];
                for (int j = 0; j < block; j++) {
                    float centred = x.get(start + j) - c;
                    first[j % P] += centred;
                    second[j % P] += centred * centred;
                }
                sum[h] += ScalarLayerNorm.sum(first);
                sumOfSquares[h] += ScalarLayerNorm.sum(second);
            }
        }
    }

    @Override
    public void forward(FloatMemory x, int images, int heads, int block, float[] mean, float[] invStd, float[] gamma,
            float[] beta, FloatMemory xhat, FloatMemory y) {
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                float m = mean[h];
                float inv = invStd[h];
                float g = gamma[h];
                float be = beta[h];
                for (int j = start; j < start + block; j++) {
                    float normalized = (x.get(j) - m) * inv;
                    xhat.put(j, normalized);
                    y.put(j, normalized * g + be);
                }
            }
        }
    }

    @Override
    public void sums(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, double[] upstream,
            double[] upstreamTimesXhat) {
        Arrays.fill(upstream, 0, heads, 0);
        Arrays.fill(upstreamTimesXhat, 0, heads, 0);
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                Arrays.fill(first, 0f);
                Arrays.fill(second, 0f);
                for (int j = 0; j < block; j++) {
                    float d = dy.get(start + j);
                    first[j % P] += d;
                    second[j % P] += d * xhat.get(start + j);
                }
                upstream[h] += ScalarLayerNorm.sum(first);
                upstreamTimesXhat[h] += ScalarLayerNorm.sum(second);
            }
        }
    }

    @Override
    public void backward(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, float[] gamma,
            float[] meanG, float[] meanGx, float[] invStd, FloatMemory dx) {
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                float g = gamma[h];
                float mg = meanG[h];
                float mgx = meanGx[h];
                float inv = invStd[h];
                for (int j = start; j < start + block; j++) {
                    dx.put(j, (dy.get(j) * g - xhat.get(j) * mgx - mg) * inv);
                }
            }
        }
    }
}
