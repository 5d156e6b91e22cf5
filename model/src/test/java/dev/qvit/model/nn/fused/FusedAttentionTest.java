package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused attention core against ND4J's products and softmax computed here, on head counts, token counts with
 * and without a tail and head sizes of one and two vectors, with inputs that are views at an offset; the vector and
 * scalar kernels against each other bit for bit.
 */
class FusedAttentionTest {

    private record Core(float[] attention, float[] context, float[] dAttention, float[] dv, float[] dq, float[] dk) {
    }

    @ParameterizedTest(name = "heads {0}, N {1}, d {2}")
    @CsvSource({"8, 50, 16", "3, 17, 32", "2, 16, 16", "1, 5, 16", "2, 66, 16", "3, 9, 48"})
    void fusedCoreMatchesNd4jAndItsVectorAndScalarKernelsAgree(int heads, int n, int d) {
        Random random = new Random(heads * 100 + n);
        INDArray q = view(random, heads, n, d, 2.0);
        INDArray k = view(random, heads, n, d, 2.0);
        INDArray v = view(random, heads, n, d, 1.0);
        INDArray dContext = view(random, heads, n, d, 1.0);
        float scale = (float) (1 / Math.sqrt(d));

        Core scalar = run(new ScalarAttention(), q, k, v, dContext, heads, n, d, scale);
        Core vector = run(new VectorAttention(), q, k, v, dContext, heads, n, d, scale);
        assertThat(vector.attention()).containsExactly(scalar.attention());
        assertThat(vector.context()).containsExactly(scalar.context());
        assertThat(vector.dAttention()).containsExactly(scalar.dAttention());
        assertThat(vector.dv()).containsExactly(scalar.dv());
        assertThat(vector.dq()).containsExactly(scalar.dq());
        assertThat(vector.dk()).containsExactly(scalar.dk());

        // the reference: ND4J's batched products and softmax, in float64 from the same inputs
        INDArray q64 = q.castTo(DataType.DOUBLE);
        INDArray k64 = k.castTo(DataType.DOUBLE);
        INDArray v64 = v.castTo(DataType.DOUBLE);
        INDArray dc64 = dContext.castTo(DataType.DOUBLE);
        INDArray scores = Nd4j.matmul(q64, k64, false, true, false).muli(scale);
        INDArray a = Nd4j.create(DataType.DOUBLE, heads * n, n);
        Nd4j.exec(new SoftMax(scores.reshape(heads * n, n), a, 1));
        a = a.reshape(heads, n, n);
        INDArray context = Nd4j.matmul(a, v64);
        INDArray dA = Nd4j.matmul(dc64, v64, false, true, false);
        INDArray dv = Nd4j.matmul(a, dc64, true, false, false);
        INDArray rowSums = dA.mul(a).sum(true, 2);
        INDArray dS = dA.sub(rowSums).muli(a);
        INDArray dq = Nd4j.matmul(dS, k64).muli(scale);
        INDArray dk = Nd4j.matmul(dS, q64, true, false, false).muli(scale);
        assertClose("attention", vector.attention(), a, 1e-6);
        assertClose("context", vector.context(), context, 1e-5);
        assertClose("dA", vector.dAttention(), dA, 1e-5);
        assertClose("dv", vector.dv(), dv, 1e-5);
        assertClose("dq", vector.dq(), dq, 1e-5);
        assertClose("dk", vector.dk(), dk, 1e-5);
    }

    @ParameterizedTest(name = "heads {0}, N {1}, d {2}, planes {3}")
    @CsvSource({"8, 49, 16, 2", "12, 49, 16, 6", "4, 17, 32, 4", "6, 9, 16, 3"})
    void biasedScoresAndTheBiasGradientMatchNd4jAndTheKernelsAgree(int heads, int n, int d, int planes) {
        Random random = new Random(heads * 1000 + n);
        INDArray q = view(random, heads, n, d, 2.0);
        INDArray k = view(random, heads, n, d, 2.0);
        INDArray bias = view(random, planes, n, n, 1.0);
        INDArray dAttention = view(random, heads, n, n, 1.0);
        float scale = (float) (1 / Math.sqrt(d));
        float[][] scalar = biased(new ScalarAttention(), q, k, bias, dAttention, heads, n, d, planes, scale);
        float[][] vector = biased(new VectorAttention(), q, k, bias, dAttention, heads, n, d, planes, scale);
        assertThat(vector[0]).containsExactly(scalar[0]);
        assertThat(vector[1]).containsExactly(scalar[1]);

        // the reference in float64: softmax(scale q k^T + bias[h mod P]), dBias[p] = sum over h = p mod P of dS
        INDArray scores = Nd4j.matmul(q.castTo(DataType.DOUBLE), k.castTo(DataType.DOUBLE), false, true, false)
                .muli(scale);
        INDArray b64 = bias.castTo(DataType.DOUBLE);
        for (int h = 0; h < heads; h++) {
            scores.slice(h).addi(b64.slice(h % planes));
        }
        INDArray a = Nd4j.create(DataType.DOUBLE, heads * n, n);
        Nd4j.exec(new SoftMax(scores.reshape(heads * n, n), a, 1));
        a = a.reshape(heads, n, n);
        INDArray dA = dAttention.castTo(DataType.DOUBLE);
        INDArray dS = dA.sub(dA.mul(a).sum(true, 2)).muli(a);
        INDArray dBias = Nd4j.zeros(DataType.DOUBLE, planes, n, n);
        for (int h = 0; h < heads; h++) {
            dBias.slice(h % planes).addi(dS.slice(h));
        }
        assertClose("attention", vector[0], a, 1e-6);
        assertClose("dBias", vector[1], dBias, 1e-5);
    }

    /** Biased attention and the bias gradient (of the softmax of that attention, given dA). */
    private static float[][] biased(AttentionKernel kernel, INDArray q, INDArray k, INDArray bias, INDArray dAttention,
            int heads, int n, int d, int planes, float scale) {
        INDArray attention = Nd4j.create(DataType.FLOAT, heads, n, n);
        INDArray dBias = Nd4j.zeros(DataType.FLOAT, planes, n, n);
        kernel.biasedScores(FloatMemory.of(q), FloatMemory.of(k), FloatMemory.of(bias), planes, heads, n, d, scale,
                FloatMemory.of(attention));
        kernel.biasGradient(FloatMemory.of(attention), FloatMemory.of(dAttention), heads, n, planes,
                FloatMemory.of(dBias));
        return new float[][] {floats(attention), floats(dBias)};
    }

    /** The kernel's forward and backward, the backward through the softmax of its own attention. */
    private static Core run(AttentionKernel kernel, INDArray q, INDArray k, INDArray v, INDArray dContext, int heads,
            int n, int d, float scale) {
        INDArray attention = Nd4j.create(DataType.FLOAT, heads, n, n);
        INDArray context = Nd4j.create(DataType.FLOAT, heads, n, d);
        INDArray dAttention = Nd4j.create(DataType.FLOAT, heads, n, n);
        INDArray dv = Nd4j.create(DataType.FLOAT, heads, n, d);
        INDArray dq = Nd4j.create(DataType.FLOAT, heads, n, d);
        INDArray dk = Nd4j.create(DataType.FLOAT, heads, n, d);
        kernel.scores(FloatMemory.of(q), FloatMemory.of(k), heads, n, d, scale, FloatMemory.of(attention));
        kernel.context(FloatMemory.of(attention), FloatMemory.of(v), heads, n, d, FloatMemory.of(context));
        kernel.contextBackward(FloatMemory.of(attention), FloatMemory.of(v), FloatMemory.of(dContext), heads, n, d,
                FloatMemory.of(dAttention), FloatMemory.of(dv));
        kernel.scoresBackward(FloatMemory.of(attention), FloatMemory.of(dAttention), FloatMemory.of(q),
                FloatMemory.of(k), heads, n, d, scale, FloatMemory.of(dq), FloatMemory.of(dk));
        return new Core(floats(attention), floats(context), floats(dAttention), floats(dv), floats(dq), floats(dk));
    }

    /** Gaussian [heads, n, d] as a view 5 floats into a larger array. */
    private static INDArray view(Random random, int heads, int n, int d, double std) {
        int count = heads * n * d;
        float[] values = new float[count + 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        INDArray x = Nd4j.createFromArray(values).get(NDArrayIndex.interval(5, count + 5)).reshape(heads, n, d);
        assertThat(x.offset()).isEqualTo(5);
        return x;
    }

    private static float[] floats(INDArray a) {
        return a.dup().reshape(a.length()).toFloatVector();
    }

    private static void assertClose(String what, float[] actual, INDArray expected, double relative) {
        double[] e = expected.dup().reshape(expected.length()).toDoubleVector();
        double largest = 1e-6;
        for (double x : e) {
            largest = Math.max(largest, Math.abs(x));
        }
        for (int i = 0; i < e.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(e[i], within(relative * largest));
        }
    }
}
