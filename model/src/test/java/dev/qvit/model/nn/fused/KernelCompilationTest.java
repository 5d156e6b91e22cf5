package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The vector kernels compile to vector code on this JDK (once warm they allocate nothing; boxed, they allocate
 * every vector), and the guard's rule: three allocating calls in a row, not one, make the kernels fall back.
 */
class KernelCompilationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void warmVectorKernelsAllocateNothing() {
        INDArray xa = Nd4j.randn(DataType.FLOAT, 64, 200);
        INDArray ua = Nd4j.randn(DataType.FLOAT, 64, 200);
        FloatMemory x = FloatMemory.of(xa);
        FloatMemory u = FloatMemory.of(ua);
        FloatMemory v = FloatMemory.of(Nd4j.create(DataType.FLOAT, 64, 200));
        FloatMemory out = FloatMemory.of(Nd4j.create(DataType.FLOAT, 64, 200));
        LsqChannels columns = new LsqChannels().layout(64, 200, 1, -8, 7, true);
        LsqChannels runs = new LsqChannels().layout(8, 8, 200, 0, 15, true);
        java.util.Arrays.fill(columns.step(), 0.1f);
        java.util.Arrays.fill(runs.step(), 0.1f);
        float[] sums = new float[200];
        float[] zeros = new float[200];
        VectorLsq lsq = new VectorLsq();
        VectorGelu gelu = new VectorGelu();
        int heads = 4;
        int n = 50;
        int d = 16;
        FloatMemory q = FloatMemory.of(Nd4j.randn(DataType.FLOAT, heads, n, d));
        FloatMemory k = FloatMemory.of(Nd4j.randn(DataType.FLOAT, heads, n, d));
        FloatMemory dq = FloatMemory.of(Nd4j.create(DataType.FLOAT, heads, n, d));
        FloatMemory dk = FloatMemory.of(Nd4j.create(DataType.FLOAT, heads, n, d));
        FloatMemory a = FloatMemory.of(Nd4j.create(DataType.FLOAT, heads, n, n));
        FloatMemory da = FloatMemory.of(Nd4j.randn(DataType.FLOAT, heads, n, n));
        VectorAttention attention = new VectorAttention();
        VectorDistillation distillation = new VectorDistillation();
        VectorRectification rectification = new VectorRectification();
        float[] perHead = {0.1f, 0.2f, 0.3f, 0.4f};
        double[] first = new double[heads];
        double[] second = new double[heads];
        VectorLayerNorm blockNorm = new VectorLayerNorm();
        VectorNarrowLayerNorm tokenNorm = new VectorNarrowLayerNorm();
        float[] gamma = new float[64];
        float[] beta = new float[64];
        java.util.Arrays.fill(gamma, 1f);
        FloatMemory rowScale = FloatMemory.of(Nd4j.create(DataType.FLOAT, heads * n));
        Runnable all = () -> {
            lsq.forward(x, columns, v, out);
            lsq.backward(u, v, columns, out, sums, zeros);
            lsq.forward(x, runs, v, out);
            lsq.backward(u, v, runs, out, sums, zeros);
            gelu.forward(x, out, 12800, 10f);
            gelu.backward(x, u, out, 12800, 10f);
            attention.scores(q, k, heads, n, d, 0.25f, a);
            attention.context(a, k, heads, n, d, dq);
            attention.contextBackward(a, k, q, heads, n, d, da, dk);
            attention.scoresBackward(a, da, q, k, heads, n, d, 0.25f, dq, dk);
            distillation.distances(q, k, heads, n, d, 2, 0.1f, dq);
            rectification.moments(q, 1, heads, n * d, perHead, first, second);
            rectification.forward(q, 1, heads, n * d, perHead, perHead, perHead, perHead, dq, dk);
            rectification.sums(k, q, 1, heads, n * d, first, second);
            rectification.backward(k, q, 1, heads, n * d, perHead, perHead, perHead, perHead, dq);
            blockNorm.forward(x, gamma, beta, 1e-5f, 200, 64, v, rowScale, out);
            blockNorm.backward(u, v, rowScale, gamma, 200, 64, out, sums, zeros);
            tokenNorm.forward(q, gamma, beta, 1e-5f, heads * n, d, dq, rowScale, dk);
            tokenNorm.backward(k, dq, rowScale, gamma, heads * n, d, a, sums, zeros);
        };
        for (int i = 0; i < 4000; i++) {
            all.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10; i++) {
            all.run();
        }
        long perCall = (THREADS.getCurrentThreadAllocatedBytes() - before) / 10;
        assertThat(perCall).as("bytes allocated per round of the nineteen kernels").isLessThanOrEqualTo(
                AllocationGuard.ALLOWED_BYTES);
    }

    @Test
    void allocatingCallsMakeTheKernelsFallBackOnlyWhenTheyLastLongerThanARecompilation() {
        long second = 1_000_000_000L;
        AllocationGuard.strike(0, 0);
        // three allocating calls within a second: a recompilation, not a failure
        assertThat(AllocationGuard.strike(100_000, 0)).isFalse();
        assertThat(AllocationGuard.strike(100_000, second / 2)).isFalse();
        assertThat(AllocationGuard.strike(100_000, second)).isFalse();
        // a clean call ends the streak; a new one lasting past three seconds falls back
        assertThat(AllocationGuard.strike(0, 2 * second)).isFalse();
        assertThat(AllocationGuard.strike(100_000, 3 * second)).isFalse();
        assertThat(AllocationGuard.strike(100_000, 4 * second)).isFalse();
        assertThat(AllocationGuard.strike(100_000, 6 * second)).isTrue();
        AllocationGuard.strike(0, 7 * second);
        assertThat(Kernels.fellBack()).isFalse();
    }
}
