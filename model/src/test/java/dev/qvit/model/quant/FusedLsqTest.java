package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused LSQ kernels against the ND4J reference path, on random shapes, channel axes, views and offsets: v, the
 * output, the codes and dx bit for bit; the step and zero-point gradients up to summation order; and the vector
 * and scalar kernels against each other bit for bit, gradients included (falling back changes no number).
 */
class FusedLsqTest {

    /** What one path produced. */
    private record Result(float[] out, float[] scaled, float[] codes, float[] dx, float[] stepGrad, float[] zeroGrad) {
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("weight [out, in]", new long[] {48, 64}, 0, true, 4),
                Arguments.of("weight, odd sizes", new long[] {10, 37}, 0, true, 2),
                Arguments.of("linear input [T, D]", new long[] {150, 64}, 1, false, 4),
                Arguments.of("linear input, odd width", new long[] {33, 21}, 1, false, 3),
                Arguments.of("q per head [B, H, N, d]", new long[] {3, 4, 50, 16}, 1, false, 2),
                Arguments.of("attention [B, H, N, N], tails", new long[] {2, 3, 7, 7}, 1, false, 4),
                Arguments.of("8-bit image [B, 1, 28, 28]", new long[] {2, 1, 28, 28}, 1, false, 8),
                Arguments.of("channel in the middle [A, C, B]", new long[] {5, 6, 9}, 1, false, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedKernelsMatchTheReferencePath(String name, long[] shape, int axis, boolean weight, int bits) {
        for (int seed = 0; seed < 3; seed++) {
            Result reference = run(Kernels.Path.ND4J, shape, axis, weight, bits, seed, seed);
            Result scalar = run(Kernels.Path.SCALAR, shape, axis, weight, bits, seed, seed);
            assertSameElements(scalar, reference);
            assertCloseSums(scalar.stepGrad(), reference.stepGrad());
            assertCloseSums(scalar.zeroGrad(), reference.zeroGrad());
            if (Kernels.requestedPath() == Kernels.Path.VECTOR) {
                Result vector = run(Kernels.Path.VECTOR, shape, axis, weight, bits, seed, seed);
                assertSameElements(vector, reference);
                assertThat(bits(vector.stepGrad())).isEqualTo(bits(scalar.stepGrad()));
                assertThat(bits(vector.zeroGrad())).isEqualTo(bits(scalar.zeroGrad()));
            }
        }
    }

    @Test
    void theTestJvmRunsTheVectorKernels() {
        // the build starts the tests with --add-modules jdk.incubator.vector, as ./qvit starts the workbench. Whether
        // a kernel fell back during this JVM's run is not asserted: the tests feed the kernels shapes of every size,
        // and a kernel C2 gave up recompiling after too many deoptimisations allocates and rightly falls back
        // (KernelCompilationTest checks each kernel compiles to vector code and the guard's rule)
        assertThat(Kernels.requestedPath()).isEqualTo(Kernels.Path.VECTOR);
        assertThat(Kernels.describe()).matches("vector \\(.*|scalar \\(fallback: .*");
        if (Kernels.path() != Kernels.Path.VECTOR) {
            System.err.println("note: the vector kernels fell back in this test JVM: " + Kernels.describe());
        }
    }

    @Test
    void viewsWithAnOffsetAndTransposedInputsGiveTheReferenceNumbers() {
        long[] shape = {40, 24};
        for (int offset : new int[] {1, 3, 17}) {
            Result reference = run(Kernels.Path.ND4J, shape, 1, false, 4, 5, offset);
            Result fused = run(Kernels.Path.VECTOR, shape, 1, false, 4, 5, offset);
            assertSameElements(fused, reference);
            assertCloseSums(fused.stepGrad(), reference.stepGrad());
        }
        Result reference = run(Kernels.Path.ND4J, shape, 1, false, 4, 6, -1);
        Result fused = run(Kernels.Path.VECTOR, shape, 1, false, 4, 6, -1);
        assertSameElements(fused, reference);
        assertCloseSums(fused.zeroGrad(), reference.zeroGrad());
    }

    @Test
    void floatKernelsGiveTheHandComputedTwoBitGradients() {
        // LsqQuantizerTest's hand example in float32: s = 0.5, z = 0, x = [-1.6, -0.3, 0.2, 0.26, 0.9], u = 1..5
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "a", 2, 1, 1);
        params.allocate();
        INDArray x = Nd4j.createFromArray(-1.6f, -0.3f, 0.2f, 0.26f, 0.9f).reshape(5, 1);
        q.forward(x, true);
        q.step().value().assign(0.5);
        q.zeroPoint().value().assign(0.0);
        assertThat(q.forward(x, true).toFloatVector()).containsExactly(-1f, -0.5f, 0f, 0.5f, 0.5f);
        INDArray dx = q.backward(Nd4j.createFromArray(1f, 2f, 3f, 4f, 5f).reshape(5, 1));
        assertThat(dx.toFloatVector()).containsExactly(0f, 2f, 3f, 4f, 0f);
        double g = 1 / Math.sqrt(5.0);
        assertThat(q.step().grad().getDouble(0)).isCloseTo(2.92 * g, within(1e-6));
        assertThat(q.zeroPoint().grad().getDouble(0)).isCloseTo(-3.0 * g, within(1e-6));
    }

    /**
     * One forward and backward pass on the given path. {@code offset} > 0 runs on views starting that many floats
     * into a larger array; -1 on a transposed (not dense) input.
     */
    private static Result run(Kernels.Path path, long[] shape, int axis, boolean weight, int bits, int seed,
            int offset) {
        Random random = new Random(seed);
        int channels = (int) shape[axis];
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        LsqQuantizer q = weight ? LsqQuantizer.forWeight(params, "w", bits, channels)
                : LsqQuantizer.forActivation(params, "a", bits, channels, axis);
        params.allocate();
        q.useKernels(path);
        INDArray x = input(shape, random, offset);
        INDArray u = input(shape, random, offset);
        q.forward(x, true);
        for (int c = 0; c < channels; c++) {                 // steps and zero points away from the initial ones
            q.step().value().putScalar(c, 0.05 + 0.4 * random.nextDouble());
            if (!weight) {
                q.zeroPoint().value().putScalar(c, 6 * random.nextDouble() - 3);
            }
        }
        q.step().value().putScalar(0, -1.0);                 // below the floor: the kernels use MIN_STEP as well
        float[] out = plain(q.forward(x, true));
        float[] scaled = plain(q.lastScaled());
        float[] codes = plain(q.lastCodes());
        float[] dx = plain(q.backward(u));
        return new Result(out, scaled, codes, dx, plain(q.step().grad()),
                weight ? new float[0] : plain(q.zeroPoint().grad()));
    }

    /** The values with -0 as 0 (the paths may differ in the sign of a zero, which no later operation sees). */
    private static float[] plain(INDArray a) {
        float[] out = a.dup().reshape(a.length()).toFloatVector();
        for (int i = 0; i < out.length; i++) {
            out[i] += 0f;
        }
        return out;
    }

    /** Gaussian values, a quarter of them large enough to be clamped, as the memory the offset asks for. */
    private static INDArray input(long[] shape, Random random, int offset) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        int pad = Math.max(offset, 0);
        float[] values = new float[(int) n + pad + 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * (random.nextInt(4) == 0 ? 3.0 : 0.5));
        }
        INDArray all = Nd4j.createFromArray(values);
        if (offset == -1) {                                  // [R, K] as the transpose of a [K, R] array
            INDArray t = all.get(NDArrayIndex.interval(0, n)).reshape(shape[1], shape[0]).transpose();
            assertThat(FloatMemory.isDense(t)).isFalse();
            return t;
        }
        INDArray view = all.get(NDArrayIndex.interval(pad, pad + n)).reshape(shape);
        if (offset > 0) {
            assertThat(view.offset()).isEqualTo(offset);
            assertThat(FloatMemory.isDense(view)).isTrue();
        }
        return view;
    }

    private static void assertSameElements(Result actual, Result expected) {
        assertThat(actual.scaled()).as("v").containsExactly(expected.scaled());
        assertThat(actual.out()).as("output").containsExactly(expected.out());
        assertThat(actual.codes()).as("codes").containsExactly(expected.codes());
        assertThat(actual.dx()).as("dx").containsExactly(expected.dx());
    }

    /** Sums of the same float terms in another order: within a few float32 roundings of the largest. */
    private static void assertCloseSums(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float largest = 1e-6f;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("channel %d", i).isCloseTo(expected[i], within(2e-5f * largest));
        }
    }

    private static List<Integer> bits(float[] values) {
        List<Integer> out = new ArrayList<>();
        for (float v : values) {
            out.add(Float.floatToIntBits(v));
        }
        return out;
    }
}
