package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.IN_REGISTER;
import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;
import static dev.qvit.model.nn.fused.VectorMemory.load;
import static dev.qvit.model.nn.fused.VectorMemory.store;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * {@link RectificationKernel} with the Vector API on ND4J's native memory. Element j of an image's head adds to
 * partial j % PARTIALS, the vector [j, j + L) to the partials [j % PARTIALS, + L) (L divides PARTIALS), the tail
 * element by element: the order of {@link ScalarRectification}.
 */
final class VectorRectification implements RectificationKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] first = new float[P];
    private final float[] second = new float[P];

    @Override
    public void moments(FloatMemory x, int images, int heads, int block, float[] shift, double[] sum,
            double[] sumOfSquares) {
        Arrays.fill(sum, 0, heads, 0);
        Arrays.fill(sumOfSquares, 0, heads, 0);
        int body = block - block % L;
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                Arrays.fill(first, 0f);
                Arrays.fill(second, 0f);
                float c = shift[h];
                FloatVector sums = FloatVector.zero(SPECIES);
                FloatVector squares = FloatVector.zero(SPECIES);
                for (int j = 0; j < body; j += L) {
                    FloatVector centred = load(x, start + j).sub(c);
                    if (IN_REGISTER) {
                        sums = sums.add(centred);
                        squares = squares.add(centred.mul(centred));
                    } else {
                        FloatVector.fromArray(SPECIES, first, j % P).add(centred).intoArray(first, j % P);
                        FloatVector.fromArray(SPECIES, second, j % P).add(centred.mul(centred))
                                .intoArray(second, j % P);
                    }
                }
                if (IN_REGISTER) {
                    sums.intoArray(first, 0);
                    squares.intoArray(second, 0);
                }
                for (int j = body; j < block; j++) {
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
        int body = block - block % L;
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                float m = mean[h];
                float inv = invStd[h];
                float g = gamma[h];
                float be = beta[h];
                for (int j = start; j < start + body; j += L) {
                    FloatVector normalized = load(x, j).sub(m).mul(inv);
                    store(normalized, xhat, j);
                    store(normalized.mul(g).add(be), y, j);
                }
                for (int j = start + body; j < start + block; j++) {
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
        int body = block - block % L;
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                Arrays.fill(first, 0f);
                Arrays.fill(second, 0f);
                FloatVector sums = FloatVector.zero(SPECIES);
                FloatVector products = FloatVector.zero(SPECIES);
                for (int j = 0; j < body; j += L) {
                    FloatVector d = load(dy, start + j);
                    if (IN_REGISTER) {
                        sums = sums.add(d);
                        products = products.add(d.mul(load(xhat, start + j)));
                    } else {
                        FloatVector.fromArray(SPECIES, first, j % P).add(d).intoArray(first, j % P);
                        FloatVector.fromArray(SPECIES, second, j % P).add(d.mul(load(xhat, start + j)))
                                .intoArray(second, j % P);
                    }
                }
                if (IN_REGISTER) {
                    sums.intoArray(first, 0);
                    products.intoArray(second, 0);
                }
                for (int j = body; j < block; j++) {
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
        int body = block - block % L;
        for (int b = 0; b < images; b++) {
            for (int h = 0; h < heads; h++) {
                int start = (b * heads + h) * block;
                float g = gamma[h];
                float mg = meanG[h];
                float mgx = meanGx[h];
                float inv = invStd[h];
                for (int j = start; j < start + body; j += L) {
                    store(load(dy, j).mul(g).sub(load(xhat, j).mul(mgx)).sub(mg).mul(inv), dx, j);
                }
                for (int j = start + body; j < start + block; j++) {
                    dx.put(j, (dy.get(j) * g - xhat.get(j) * mgx - mg) * inv);
                }
            }
        }
    }
}
