package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attention core's head split and merge against ND4J's permuted copies, for both kernels, from inputs that are
 * views at an offset: the same values in the same places, and merge undoing split.
 */
class HeadCopiesTest {

    @ParameterizedTest(name = "images {0}, N {1}, parts {2}, heads {3}, d {4}")
    @CsvSource({"2, 50, 3, 4, 16", "3, 7, 1, 2, 32", "1, 5, 3, 3, 5", "2, 9, 1, 4, 16"})
    void splitAndMergeAreNd4jsPermutations(int images, int n, int parts, int heads, int d) {
        long count = (long) images * n * parts * heads * d;
        INDArray rows = Nd4j.rand(DataType.FLOAT, 1, count + 3).get(NDArrayIndex.point(0),
                NDArrayIndex.interval(3, count + 3)).reshape(images, n, parts, heads, d);
        assertThat(rows.offset()).isEqualTo(3);
        INDArray expected = rows.permute(2, 0, 3, 1, 4).dup('c');                         // [T, B, H, N, d]
        boolean vectorFits = Kernels.requestedPath() == Kernels.Path.VECTOR && VectorAttention.supports(d);
        AttentionKernel[] kernels = vectorFits ? new AttentionKernel[] {new ScalarAttention(), new VectorAttention()}
                : new AttentionKernel[] {new ScalarAttention()};
        for (AttentionKernel kernel : kernels) {
            INDArray split = Nd4j.create(DataType.FLOAT, parts, images, heads, n, d);
            kernel.toHeads(FloatMemory.of(rows), images, n, parts, heads, d, FloatMemory.of(split));
            assertThat(flat(split)).as(kernel.getClass().getSimpleName()).containsExactly(flat(expected));
            INDArray merged = Nd4j.create(DataType.FLOAT, images, n, parts, heads, d);
            kernel.fromHeads(FloatMemory.of(split), images, n, parts, heads, d, FloatMemory.of(merged));
            assertThat(flat(merged)).as(kernel.getClass().getSimpleName()).containsExactly(flat(rows));
        }
    }

    private static float[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }
}
