package dev.qvit.model.nn.fused;

import static dev.qvit.model.nn.fused.VectorMemory.L;
import static dev.qvit.model.nn.fused.VectorMemory.SPECIES;

import static dev.qvit.model.nn.fused.VectorMemory.load;
import static dev.qvit.model.nn.fused.VectorMemory.store;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * {@link LayerNormKernel} with the Vector API for rows no longer than PARTIALS (IRM's token form: one head's d
 * channels). Such a row has one element per partial sum of {@link ScalarLayerNorm}, so its sum is its elements added
 * left to right, then the empty partials' zeros. Rows go L at a time, a lane per row (the last tile padded with rows
 * of zeros): the tile is read once and transposed, so that element j of every row is one vector and the sums of L
 * rows take d vector adds instead of L row passes, in the scalar kernel's order. Its own class, not a branch of
 * {@link VectorLayerNorm}: on JDK 17 the two paths in one method, both taken, were no longer compiled to vector code.
 */
final class VectorNarrowLayerNorm implements LayerNormKernel {
    private static final int P = LsqKernel.PARTIALS;
    private final float[] tile = new float[L * P];              // L rows of up to P floats
    private final float[] tileOther = new float[L * P];
    private final float[] tileXhat = new float[L * P];
    private final float[] laneFirst = new float[L];              // a tile's per-row statistics
    private final float[] laneSecond = new float[L];

    @Override
    public void forward(FloatMemory x, float[] gamma, float[] beta, float eps, int rows, int dim, FloatMemory xhat,
            FloatMemory invStd, FloatMemory y) {
        check(dim);
        for (int r0 = 0; r0 < rows; r0 += L) {
            int count = Math.min(L, rows - r0);
            tileStatistics(x, r0, count, dim, eps);
            for (int i = 0; i < count; i++) {
                invStd.put(r0 + i, laneSecond[i]);
                normalizeRow(x, gamma, beta, r0 + i, dim, laneFirst[i], laneSecond[i], xhat, y);
            }
        }
    }

    private static void check(int dim) {
        if (dim > P) {
            throw new IllegalArgumentException("rows of " + dim + " floats are wider than " + P);
        }
    }

    /**
     * The mean and 1 / std of rows [r0, r0 + count) into laneFirst and laneSecond, a lane per row (lanes past
     * count see rows of zeros).
     */
    private void tileStatistics(FloatMemory x, int r0, int count, int dim, float eps) {
        read(x, r0, count, dim, tileOther);
        transpose(tileOther, tile, dim);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int j = 0; j < dim; j++) {
            sum = sum.add(FloatVector.fromArray(SPECIES, tile, j * L));
        }
        for (int j = dim; j < P; j++) {
            sum = sum.add(0f);                                   // the empty partials, as the row sum adds them
        }
        FloatVector mean = sum.div(dim);
        FloatVector squares = FloatVector.zero(SPECIES);
        for (int j = 0; j < dim; j++) {
            FloatVector centred = FloatVector.fromArray(SPECIES, tile, j * L).sub(mean);
            squares = squares.add(centred.mul(centred));
        }
        for (int j = dim; j < P; j++) {
            squares = squares.add(0f);
        }
        mean.intoArray(laneFirst, 0);
        FloatVector.broadcast(SPECIES, 1f).div(squares.div(dim).add(eps).sqrt()).intoArray(laneSecond, 0);
    }

    private static void normalizeRow(FloatMemory x, float[] gamma, float[] beta, int r, int dim, float mean,
            float inv, FloatMemory xhat, FloatMemory y) {
        int row = r * dim;
        int body = dim - dim % L;
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

    @Override
    public void backward(FloatMemory dy, FloatMemory xhat, FloatMemory invStd, float[] gamma, int rows, int dim,
            FloatMemory dx, float[] dgamma, float[] dbeta) {
        Arrays.fill(dgamma, 0, dim, 0f);
        Arrays.fill(dbeta, 0, dim, 0f);
        check(dim);
        for (int r0 = 0; r0 < rows; r0 += L) {
            int count = Math.min(L, rows - r0);
            tileGradientMeans(dy, xhat, gamma, r0, count, dim);
            for (int i = 0; i < count; i++) {
                int r = r0 + i;
                parameterSums(dy, xhat, r, dim, dgamma, dbeta);
                inputGradientRow(dy, xhat, gamma, r, dim, laneFirst[i], laneSecond[i], invStd.get(r), dx);
            }
        }
    }

    /** Rows [r0, r0 + count) into a tile of L rows, the missing ones zero. */
    private static void read(FloatMemory m, int r0, int count, int dim, float[] tile) {
        m.read(r0 * dim, tile, count * dim);
        Arrays.fill(tile, count * dim, L * dim, 0f);
    }

    /** rows [L, dim] -> columns [dim, L]: element j of every row of a tile, side by side. */
    private static void transpose(float[] rows, float[] columns, int dim) {
        for (int i = 0; i < L; i++) {
            for (int j = 0; j < dim; j++) {
                columns[j * L + i] = rows[i * dim + j];
            }
        }
    }

    /** mean(g) and mean(g xhat) of rows [r0, r0 + count), g = dy gamma, into laneFirst and laneSecond. */
    private void tileGradientMeans(FloatMemory dy, FloatMemory xhat, float[] gamma, int r0, int count, int dim) {
        read(dy, r0, count, dim, tileOther);
        transpose(tileOther, tile, dim);
        read(xhat, r0, count, dim, tileOther);
        transpose(tileOther, tileXhat, dim);
        FloatVector sumG = FloatVector.zero(SPECIES);
        FloatVector sumGx = FloatVector.zero(SPECIES);
        for (int j = 0; j < dim; j++) {
            FloatVector g = FloatVector.fromArray(SPECIES, tile, j * L).mul(gamma[j]);
            sumG = sumG.add(g);
            sumGx = sumGx.add(g.mul(FloatVector.fromArray(SPECIES, tileXhat, j * L)));
        }
        for (int j = dim; j < P; j++) {
            sumG = sumG.add(0f);
            sumGx = sumGx.add(0f);
        }
        sumG.div(dim).intoArray(laneFirst, 0);
        sumGx.div(dim).intoArray(laneSecond, 0);
    }

    /** dgamma += dy xhat and dbeta += dy of row r (rows in order). */
    private static void parameterSums(FloatMemory dy, FloatMemory xhat, int r, int dim, float[] dgamma,
            float[] dbeta) {
        int row = r * dim;
        int body = dim - dim % L;
        for (int j = 0; j < body; j += L) {
            FloatVector upstream = load(dy, row + j);
            FloatVector.fromArray(SPECIES, dgamma, j).add(upstream.mul(load(xhat, row + j))).intoArray(dgamma, j);
            FloatVector.fromArray(SPECIES, dbeta, j).add(upstream).intoArray(dbeta, j);
        }
        for (int j = body; j < dim; j++) {
            float upstream = dy.get(row + j);
            dgamma[j] += upstream * xhat.get(row + j);
            dbeta[j] += upstream;
        }
    }

    private static void inputGradientRow(FloatMemory dy, FloatMemory xhat, float[] gamma, int r, int dim,
            float meanG, float meanGx, float inv, FloatMemory dx) {
        int row = r * dim;
        int body = dim - dim % L;
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
