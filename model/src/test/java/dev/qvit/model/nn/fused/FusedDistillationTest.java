package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DGD's fused per-head form against its ND4J path in float64, on token counts with and without a tail, head sizes of
 * one to three vectors and inputs that are views at an offset; the vector and scalar kernels bit for bit.
 */
class FusedDistillationTest {

    @ParameterizedTest(name = "images {0}, heads {1}, N {2}, d {3}")
    @CsvSource({"2, 4, 50, 16", "3, 2, 17, 32", "1, 1, 5, 16", "2, 3, 9, 48", "1, 2, 66, 16"})
    void fusedDistillationMatchesNd4jAndItsKernelsAgree(int images, int heads, int n, int d) {
        Random random = new Random(images * 1000 + n);
        INDArray student = view(random, images, heads, n, d);
        INDArray teacher = view(random, images, heads, n, d);
        int blocks = images * heads;
        float weight = 0.1f;

        INDArray vectorGradient = Nd4j.create(DataType.FLOAT, images, heads, n, d);
        INDArray scalarGradient = Nd4j.create(DataType.FLOAT, images, heads, n, d);
        float[] vector = new VectorDistillation().distances(FloatMemory.of(student), FloatMemory.of(teacher), blocks,
                n, d, images, weight, FloatMemory.of(vectorGradient)).clone();
        float[] scalar = new ScalarDistillation().distances(FloatMemory.of(student), FloatMemory.of(teacher), blocks,
                n, d, images, weight, FloatMemory.of(scalarGradient)).clone();
        assertThat(Arrays.copyOf(vector, blocks)).containsExactly(Arrays.copyOf(scalar, blocks));
        assertThat(flat(vectorGradient)).containsExactly(flat(scalarGradient));

        // through DistributionGuidedDistillation: the fused path against the ND4J path in float64
        DistributionGuidedDistillation fused = new DistributionGuidedDistillation(
                DistributionGuidedDistillation.Norm.HEAD, new Buffers(DataType.FLOAT)).useKernels(Kernels.path());
        DistributionGuidedDistillation reference = new DistributionGuidedDistillation(
                DistributionGuidedDistillation.Norm.HEAD, new Buffers(DataType.DOUBLE));
        INDArray gradient = Nd4j.create(DataType.FLOAT, images, heads, n, d);
        INDArray gradient64 = Nd4j.create(DataType.DOUBLE, images, heads, n, d);
        DistributionGuidedDistillation.Term f = fused.compute("q", student, teacher, weight, gradient);
        DistributionGuidedDistillation.Term r = reference.compute("q", student.castTo(DataType.DOUBLE),
                teacher.castTo(DataType.DOUBLE), weight, gradient64);
        assertThat(f.total()).isCloseTo(r.total(), within(1e-5 * r.total()));
        for (int h = 0; h < heads; h++) {
            assertThat(f.perHead()[h]).isCloseTo(r.perHead()[h], within(1e-5 * r.total()));
        }
        assertThat(flat(gradient)).containsExactly(flat(vectorGradient));
        double[] expected = gradient64.reshape(gradient64.length()).toDoubleVector();
        double largest = Arrays.stream(expected).map(Math::abs).max().orElseThrow();
        float[] actual = flat(gradient);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("gradient[%d]", i).isCloseTo(expected[i], within(1e-5 * largest));
        }
    }

    private static float[] flat(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

    /** Gaussian [images, heads, n, d] as a view 7 floats into a larger array. */
    private static INDArray view(Random random, int images, int heads, int n, int d) {
        int count = images * heads * n * d;
        float[] values = new float[count + 7];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        INDArray x = Nd4j.createFromArray(values).get(NDArrayIndex.interval(7, count + 7))
                .reshape(images, heads, n, d);
        assertThat(x.offset()).isEqualTo(7);
        return x;
    }
}
