package dev.qvit.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * OpenBLAS called directly gives the bits of ND4J's products and broadcast add, on views at an offset and with a
 * row stride, refuses what it cannot take, and allocates nothing per call.
 */
class BlasTest {

    @ParameterizedTest(name = "[{0},{1}] x [{1},{2}], transA {3}, transB {4}, beta {5}")
    @CsvSource({"1600, 64, 192, false, true, 0", "1600, 192, 64, false, false, 0", "64, 1600, 192, true, false, 0",
            "50, 16, 50, false, true, 0", "7, 5, 3, true, true, 1", "1, 37, 9, false, false, 0",
            "300, 256, 64, false, true, 1", "3, 1, 4, false, false, 0"})
    void productsAreNd4jsToTheBit(int m, int k, int n, boolean transA, boolean transB, double beta) {
        INDArray a = view(transA ? k : m, transA ? m : k, 5, 3);
        INDArray b = view(transB ? n : k, transB ? k : n, 0, 1);
        INDArray start = Nd4j.rand(DataType.FLOAT, m, n);
        INDArray expected = Nd4j.gemm(a, b, start.dup(), transA, transB, 1.0, beta);
        INDArray out = view(m, n, 2, 2).assign(start);
        assertThat(Blas.gemm(a, b, out, transA, transB, beta)).isTrue();
        assertSameBits(out, expected);
    }

    @ParameterizedTest(name = "rows {0}, cols {1}")
    @CsvSource({"3200, 192", "1600, 64", "1, 10", "33, 1"})
    void biasSumAndAddAreNd4jsToTheBit(int rows, int cols) {
        INDArray x = view(rows, cols, 4, 3);
        INDArray ones = Nd4j.valueArrayOf(new long[] {1, rows}, 1.0, DataType.FLOAT);
        INDArray expectedSum = Nd4j.gemm(ones, x, Nd4j.create(DataType.FLOAT, 1, cols), false, false, 1.0, 0.0);
        INDArray sum = Nd4j.create(DataType.FLOAT, cols + 2).get(NDArrayIndex.interval(2, cols + 2));
        assertThat(Blas.sumOverRows(x, ones, sum)).isTrue();
        assertSameBits(sum, expectedSum);

        INDArray row = Nd4j.randn(DataType.FLOAT, cols).muli(1e-3);
        INDArray expectedAdd = x.add(row.reshape(1, cols));
        assertThat(Blas.addRowInPlace(x, row)).isTrue();
        assertSameBits(x, expectedAdd);
    }

    @ParameterizedTest(name = "into {0}")
    @CsvSource({"fresh", "a", "b"})
    void anAddIsNd4jsToTheBit(String into) {
        INDArray storage = Nd4j.randn(DataType.FLOAT, 2 * 3200 * 64 + 7);
        INDArray a = storage.get(NDArrayIndex.interval(7, 7 + 3200 * 64)).reshape(3200, 64);
        INDArray b = Nd4j.randn(DataType.FLOAT, 3200, 64).muli(1e-3);
        INDArray expected = a.add(b);
        INDArray out = switch (into) {
            case "a" -> a;
            case "b" -> b;
            default -> Nd4j.create(DataType.FLOAT, 3200, 64);
        };
        assertThat(Blas.add(a, b, out)).isTrue();
        assertSameBits(out, expected);
        assertThat(Blas.add(a, b.transpose(), Nd4j.create(DataType.FLOAT, 64, 3200))).isFalse();
    }

    @Test
    void whatItCannotTakeIsLeftToNd4j() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray b = Nd4j.rand(DataType.FLOAT, 3, 5);
        assertThat(Blas.gemm(a.castTo(DataType.DOUBLE), b, Nd4j.create(DataType.FLOAT, 4, 5), false, false, 0))
                .isFalse();
        assertThat(Blas.gemm(a.transpose(), b, Nd4j.create(DataType.FLOAT, 3, 5), false, false, 0)).isFalse();
        assertThat(Blas.gemm(a, b, Nd4j.create(DataType.FLOAT, 4, 6), false, false, 0)).isFalse();
        assertThat(Blas.gemm(a, a, Nd4j.create(DataType.FLOAT, 4, 4), false, false, 0)).isFalse();
        assertThat(Blas.addRowInPlace(a, Nd4j.rand(DataType.FLOAT, 4))).isFalse();
        INDArray viaTensors = Tensors.gemm(a.transpose(), b.transpose(), Nd4j.create(DataType.FLOAT, 4, 5), true,
                true, 0.0);                                                   // column-major views: ND4J's path
        INDArray expected = Nd4j.gemm(a.transpose(), b.transpose(), Nd4j.create(DataType.FLOAT, 4, 5), true, true,
                1.0, 0.0);
        assertSameBits(viaTensors, expected);
    }

    @Test
    void aCallAllocatesNothing() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 320, 64);
        INDArray w = Nd4j.rand(DataType.FLOAT, 192, 64);
        INDArray y = Nd4j.create(DataType.FLOAT, 320, 192);
        INDArray bias = Nd4j.rand(DataType.FLOAT, 192);
        INDArray ones = Nd4j.valueArrayOf(new long[] {1, 320}, 1.0, DataType.FLOAT);
        INDArray sum = Nd4j.create(DataType.FLOAT, 192);
        Runnable calls = () -> {
            Blas.gemm(x, w, y, false, true, 0.0);
            Blas.add(x, x, x);
            Blas.addRowInPlace(y, bias);
            Blas.sumOverRows(y, ones, sum);
        };
        for (int i = 0; i < 2000; i++) {
            calls.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 200; i++) {
            calls.run();
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(200);
    }

    /** A rows x cols float32 matrix that starts {@code offset} floats into its buffer with {@code pad} extra floats per row. */
    private static INDArray view(int rows, int cols, int offset, int pad) {
        INDArray storage = Nd4j.rand(DataType.FLOAT, 1, offset + (long) rows * (cols + pad)).subi(0.5);
        INDArray wide = storage.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + (long) rows * (cols + pad)))
                .reshape(rows, cols + pad);
        INDArray v = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, cols));
        assertThat(v.offset()).isEqualTo(offset);
        return v;
    }

    /** Every element the same float (AssertJ's containsExactly takes minutes on 600,000 of them). */
    private static void assertSameBits(INDArray actual, INDArray expected) {
        float[] a = floats(actual);
        float[] e = floats(expected);
        int at = java.util.Arrays.mismatch(a, e);
        assertThat(at).as(at < 0 ? "" : "element " + at + ": " + a[at] + " vs " + e[at]).isEqualTo(-1);
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }
}
