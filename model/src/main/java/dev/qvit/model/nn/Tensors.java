package dev.qvit.model.nn;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J operations written into caller-owned outputs, so that the hot path allocates nothing.
 * Matrices are [rows, cols]; "row" vectors have cols entries, "column" vectors rows entries.
 */
public final class Tensors {
    private Tensors() {
    }

    /**
     * The values of {@code a} in row-major order as floats: one bulk copy out of the native memory of a dense float32
     * array that owns its whole buffer from offset 0 (ND4J's {@code asFloat()} reads element by element), else
     * through a row-major duplicate.
     */
    public static float[] floats(INDArray a) {
        boolean dense = a.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT && !a.isView() && a.offset() == 0
                && a.ordering() == 'c' && a.data().length() == a.length()
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
        if (!dense) {
            return a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        }
        float[] out = new float[(int) a.length()];
        java.nio.ByteBuffer bytes = a.data().asNio();   // from the allocation's start: offset 0 checked above
        bytes.order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, out.length);
        return out;
    }

    /** out = a b^T-style GEMM wrapper: out = alpha * op(a) op(b) + beta * out. */
    public static INDArray gemm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, double beta) {
        if (Blas.gemm(a, b, out, transA, transB, beta)) {
            return out;
        }
        return Nd4j.gemm(a, b, out, transA, transB, 1.0, beta);
    }

    /**
     * Batched matrix product out = alpha * op(a) op(b) over the leading dimension of 3-D arrays (or a plain
     * product for 2-D), written into {@code out}.
     */
    public static INDArray matmul(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, double alpha) {
        MMulTranspose t = MMulTranspose.builder().transposeA(transA).transposeB(transB).build();
        Nd4j.exec(new Mmul(a, b, out, alpha, 0.0, t));
        return out;
    }

    /** out[r] = mean_c x[r, c]. */
    public static INDArray meanOfRows(INDArray x, INDArray out) {
        Nd4j.exec(new Mean(x, out, 1));
        return out;
    }

    /** out[c] = sum_r x[r, c]. */
    public static INDArray sumOverRows(INDArray x, INDArray out) {
        Nd4j.exec(new Sum(x, out, 0));
        return out;
    }

    /**
     * out[c] = sum_r x[r, c] as a GEMV with a ones row ([1, rows] x [rows, cols]); faster than ND4J's
     * column reduction on c-ordered matrices. {@code ones} is a [1, rows] buffer of ones.
     */
    public static INDArray sumOverRows(INDArray x, INDArray ones, INDArray out) {
        if (!Blas.sumOverRows(x, ones, out)) {
            Nd4j.gemm(ones, x, out.reshape(1, x.columns()), false, false, 1.0, 0.0);
        }
        return out;
    }

    /** out[r] = sum_c x[r, c]. */
    public static INDArray sumOfRows(INDArray x, INDArray out) {
        Nd4j.exec(new Sum(x, out, 1));
        return out;
    }

    // The broadcasts below go through the pairwise ops with NumPy-style shapes ([R, 1] or [1, K]): in ND4J
    // 1.0.0-M2.1 they are 2-5x faster than the BroadcastXxxOp legacy ops, which loop over one tensor per row.
    // {@code out} may be {@code x} (in place).

    /** out[r, c] = x[r, c] - column[r]. */
    public static INDArray subColumn(INDArray x, INDArray column, INDArray out) {
        return x.sub(column.reshape(x.rows(), 1), out);
    }

    /** out[r, c] = x[r, c] * column[r]. */
    public static INDArray mulColumn(INDArray x, INDArray column, INDArray out) {
        return x.mul(column.reshape(x.rows(), 1), out);
    }

    /** out[r, c] = x[r, c] * row[c]. */
    public static INDArray mulRow(INDArray x, INDArray row, INDArray out) {
        return x.mul(row.reshape(1, x.columns()), out);
    }

    /** out = a + b element by element (arrays of one shape); out may be a or b. */
    public static INDArray add(INDArray a, INDArray b, INDArray out) {
        if (Blas.add(a, b, out)) {
            return out;
        }
        return a.add(b, out);
    }

    /** out[r, c] = x[r, c] + row[c]. */
    public static INDArray addRow(INDArray x, INDArray row, INDArray out) {
        if (out == x && Blas.addRowInPlace(x, row)) {
            return out;
        }
        return x.add(row.reshape(1, x.columns()), out);
    }
}
