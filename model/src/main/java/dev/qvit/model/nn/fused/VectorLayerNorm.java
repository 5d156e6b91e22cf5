package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.IN_REGISTER;
import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;

import static dev.qvit.model.nn.fused.VectorMemory.load;
import static dev.qvit.model.nn.fused.VectorMemory.store;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * {@link LayerNormKernel} with the Vector API on ND4J's native memory. Element j of a row adds to partial sum
 * j % PARTIALS, the vector of elements [j, j + L) to the partials [j % PARTIALS, + L) (L divides PARTIALS), and the
 * tail element by element: the order of {@link ScalarLayerNorm}. With 512-bit vectors the partials are one vector
 * kept in a register ({@link VectorMemory#IN_REGISTER}).
 */
final class VectorLayerNorm implements LayerNormKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] first = new float[P];
    private final float[] second = new float[P];

    @Override
    public void forward(FloatMemory x, float[] gamma, float[] beta, float eps, int rows, int dim, FloatMemory xhat,
            FloatMemory invStd, FloatMemory y) {
        int body = dim - dim % L;
        for (int r = 0; r < rows; r++) {
            int row = r * dim;
            Arrays.fill(first, 0f);
            FloatVector sums = FloatVector.zero(SPECIES);
            for (int j = 0; j < body; j += L) {
                if (IN_REGISTER) {
                    sums = sums.add(load(x, row + j));
                } else {
                    FloatVector.fromArray(SPECIES, first, j % P).add(load(x, row + j)).intoArray(first, j % P);
                }
            }
            if (IN_REGISTER) {
                sums.intoArray(first, 0);
            }
            for (int j = body; j < dim; j++) {
                first[j % P] += x.get(row + j);
            }
            float mean = ScalarLayerNorm.sum(first) / dim;
            Arrays.fill(first, 0f);
            sums = FloatVector.zero(SPECIES);
            for (int j = 0; j < body; j += L) {
                FloatVector centred = load(x, row + j).sub(mean);
                if (IN_REGISTER) {
                    sums = sums.add(centred.mul(centred));
                } else {
                    FloatVector.fromArray(SPECIES, first, j % P).add(centred.mul(centred)).intoArray(first, j % P);
                }
            }
            if (IN_REGISTER) {
                sums.intoArray(first, 0);
            }
            for (int j = body; j < dim; j++) {
                float centred = x.get(row + j) - mean;
                first[j % P] += centred * centred;
            }
            float inv = 1f / (float) Math.sqrt(ScalarLayerNorm.sum(first) / dim + eps);
            invStd.put(r, inv);
            for (int j = 0; j < body; j += L) {
                FloatVector normalized = load(x, row + j).sub(mean).mul(inv);
                store(normalized, xhat, row + j);
                store(normalized.mul(FloatVector.fromArray(SPECIES, gamma, j)).add(FloatVector.fromArray(SPECIES,
                        beta, j)), y, row + j);
            }
            for (int j = body; j < dim; j++) {
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
        int body = dim - dim % L;
        for (int r = 0; r < rows; r++) {
            int row = r * dim;
            Arrays.fill(first, 0f);
            Arrays.fill(second, 0f);
            FloatVector sumG = FloatVector.zero(SPECIES);
            FloatVector sumGx = FloatVector.zero(SPECIES);
            for (int j = 0; j < body; j += L) {
                FloatVector upstream = load(dy, row + j);
                FloatVector normalized = load(xhat, row + j);
                FloatVector g = upstream.mul(FloatVector.fromArray(SPECIES, gamma, j));
                if (IN_REGISTER) {
                    sumG = sumG.add(g);
                    sumGx = sumGx.add(g.mul(normalized));
                } else {
                    FloatVector.fromArray(SPECIES, first, j % P).add(g).intoArray(first, j % P);
                    FloatVector.fromArray(SPECIES, second, j % P).add(g.mul(normalized)).intoArray(second, j % P);
                }
                FloatVector.fromArray(SPECIES, dgamma, j).add(upstream.mul(normalized)).intoArray(dgamma, j);
                FloatVector.fromArray(SPECIES, dbeta, j).add(upstream).intoArray(dbeta, j);
            }
            if (IN_REGISTER) {
                sumG.intoArray(first, 0);
                sumGx.intoArray(second, 0);
            }
            for (int j = body; j < dim; j++) {
                float upstream = dy.get(row + j);
                float normalized = xhat.get(row + j);
                float g = upstream * gamma[j];
                first[j % P] += g;
                second[j % P] += g * normalized;
                dgamma[j] += upstream * normalized;
                dbeta[j] += upstream;
            }
            float meanG = ScalarLayerNorm.sum(first) / dim;
            float meanGx = ScalarLayerNorm.sum(second) / dim;
            float inv = invStd.get(r);
            for (int j = 0; j < body; j += L) {
                FloatVector g = load(dy, row + j).mul(FloatVector.fromArray(SPECIES, gamma, j));
                store(g.sub(load(xhat, row + j).mul(meanGx)).sub(meanG).mul(inv), dx, row + j);
            }
            for (int j = body; j < dim; j++) {
                float g = dy.get(row + j) * gamma[j];
                dx.put(row + j, (g - xhat.get(row + j) * meanGx - meanG) * inv);
            }
        }
    }
}
