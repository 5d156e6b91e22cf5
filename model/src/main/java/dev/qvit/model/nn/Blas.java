package dev.qvit.model.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * OpenBLAS called directly on the native memory of float32 ND4J matrices: the same library and the same sgemm call
 * that {@code Nd4j.gemm} makes (so the same bits, {@code BlasTest}), without ND4J's op object, shape buffers and
 * context per call, which cost 50-100 us of a 0.2-1.5 ms product here and most of a step's heap allocation. A call
 * allocates nothing: each thread keeps three pointers that are moved onto the arrays' memory. Anything else
 * (float64, a matrix whose rows are not contiguous) is left to ND4J: the methods return false.
 */
public final class Blas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final ThreadLocal<Pointers> POINTERS = ThreadLocal.withInitial(Pointers::new);

    private Blas() {
    }

    /**
     * out = op(a) op(b) + beta out for 2-D float32 arrays whose rows are contiguous (any offset and row stride);
     * false, and nothing done, for anything else or shapes that do not fit.
     */
    public static boolean gemm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, double beta) {
        return rowsContiguous(out) && product(a, b, transA, transB, beta, out, out.size(0), out.size(1), leading(out));
    }

    /**
     * out[c] = sum over r of x[r, c] as the product ones x ([1, rows] x [rows, cols]) that {@code Nd4j.gemm} makes of
     * it, into a dense float32 vector of cols entries; false, and nothing done, where that does not hold.
     */
    public static boolean sumOverRows(INDArray x, INDArray ones, INDArray out) {
        return denseVector(out, x.size(1)) && product(ones, x, false, false, 0.0, out, 1, x.size(1), (int) x.size(1));
    }

    /**
     * x[r, c] += row[c] in place as a rank-one update with a ones vector (x += 1 * ones row^T): each product is
     * exactly row[c], so the result is x + row rounded once, as ND4J's broadcast add gives it. {@code row} is a
     * dense float32 vector of x's column count; false, and nothing done, where that does not hold.
     */
    public static boolean addRowInPlace(INDArray x, INDArray row) {
        if (!rowsContiguous(x) || !denseVector(row, x.size(1)) || x.size(0) > Integer.MAX_VALUE) {
            return false;
        }
        Pointers p = POINTERS.get();
        int rows = (int) x.size(0);
        openblas_nolapack.cblas_sger(ROW_MAJOR, rows, (int) x.size(1), 1f, p.ones(rows), 1, p.b.at(row), 1, p.c.at(x),
                leading(x));
        return true;
    }

    /**
     * out = a + b element by element for dense float32 arrays of one length (out may be a or b): a copy and an axpy
     * with alpha 1, whose products are exact, so each element is a + b rounded once, as ND4J's add gives it; false,
     * and nothing done, where that does not hold.
     */
    public static boolean add(INDArray a, INDArray b, INDArray out) {
        long n = out.length();
        if (!dense(a, n) || !dense(b, n) || !dense(out, n) || n > Integer.MAX_VALUE) {
            return false;
        }
        Pointers p = POINTERS.get();
        INDArray added = a;
        if (out != b) {
            if (out != a) {
                openblas_nolapack.cblas_scopy((int) n, p.b.at(b), 1, p.c.at(out), 1);
            } else {
                added = b;
            }
        }
        openblas_nolapack.cblas_saxpy((int) n, 1f, p.a.at(added), 1, p.c.at(out), 1);
        return true;
    }

    private static boolean product(INDArray a, INDArray b, boolean transA, boolean transB, double beta, INDArray out,
            long outRows, long outCols, int ldc) {
        if (!rowsContiguous(a) || !rowsContiguous(b)) {
            return false;
        }
        long m = transA ? a.size(1) : a.size(0);
        long k = transA ? a.size(0) : a.size(1);
        long n = transB ? b.size(0) : b.size(1);
        if ((transB ? b.size(1) : b.size(0)) != k || outRows != m || outCols != n || m * n * k == 0
                || Math.max(m, Math.max(n, k)) > Integer.MAX_VALUE) {
            return false;
        }
        Pointers p = POINTERS.get();
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, (int) m,
                (int) n, (int) k, 1f, p.a.at(a), leading(a), p.b.at(b), leading(b), (float) beta, p.c.at(out), ldc);
        return true;
    }

    /** float32 with {@code n} elements contiguous along its one axis longer than 1 (any offset). */
    private static boolean denseVector(INDArray x, long n) {
        if (x.dataType() != DataType.FLOAT || x.length() != n) {
            return false;
        }
        for (int d = 0; d < x.rank(); d++) {
            if (x.size(d) != 1 && x.stride(d) != 1) {
                return false;
            }
        }
        return true;
    }

    /** float32 with {@code n} elements contiguous in row-major order (any offset); the strides decide. */
    private static boolean dense(INDArray x, long n) {
        if (x.dataType() != DataType.FLOAT || x.length() != n) {
            return false;
        }
        long expected = 1;
        for (int d = x.rank() - 1; d >= 0; d--) {
            if (x.size(d) != 1 && x.stride(d) != expected) {
                return false;
            }
            expected *= x.size(d);
        }
        return true;
    }

    /** 2-D float32 with unit stride along each row (a row vector's stride does not matter). */
    private static boolean rowsContiguous(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.rank() == 2 && (x.size(1) == 1 || x.stride(1) == 1)
                && (x.size(0) == 1 || x.stride(0) >= x.size(1));
    }

    /** The leading dimension BLAS wants: the row stride, or the row length for a single row. */
    private static int leading(INDArray x) {
        return (int) Math.max(1, x.size(0) == 1 ? x.size(1) : x.stride(0));
    }

    /** A float pointer that is moved onto an array's first element instead of being created per call. */
    private static final class MovablePointer extends FloatPointer {
        MovablePointer() {
            super((org.bytedeco.javacpp.Pointer) null);
        }

        MovablePointer at(INDArray x) {
            address = x.data().address() + x.offset() * Float.BYTES;   // data().address() is the allocation's start
            position = 0;
            limit = x.length();
            capacity = x.length();
            return this;
        }
    }

    /** One thread's pointers, and a ones vector that only grows. */
    private static final class Pointers {
        final MovablePointer a = new MovablePointer();
        final MovablePointer b = new MovablePointer();
        final MovablePointer c = new MovablePointer();
        private FloatPointer ones = new FloatPointer(0L);

        FloatPointer ones(int n) {
            if (ones.capacity() < n) {
                ones = new FloatPointer(n);
                float[] values = new float[n];
                java.util.Arrays.fill(values, 1f);
                ones.put(values);
            }
            return ones;
        }
    }
}
