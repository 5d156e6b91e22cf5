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
        // as in a run, the kernels are chosen first: that adds the compiler directive the loops need
        assertThat(Kernels.requestedPath()).isEqualTo(Kernels.Path.VECTOR);
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
        java.util.Map<String, Runnable> kernels = new java.util.LinkedHashMap<>();
        kernels.put("LSQ forward, per column", () -> lsq.forward(x, columns, v, out));
        kernels.put("LSQ backward, per column", () -> lsq.backward(u, v, columns, out, sums, zeros));
        kernels.put("LSQ forward, per run", () -> lsq.forward(x, runs, v, out));
        kernels.put("LSQ backward, per run", () -> lsq.backward(u, v, runs, out, sums, zeros));
        // both GELU paths run in one program (clipped in the quantized student, unclipped in the teacher)
        kernels.put("gelu.forward", () -> gelu.forward(x, out, 12800, Float.NaN));
        kernels.put("gelu.backward", () -> gelu.backward(x, u, out, 12800, Float.NaN));
        kernels.put("gelu.forward, clipped", () -> gelu.forward(x, out, 12800, 10f));
        kernels.put("gelu.backward, clipped", () -> gelu.backward(x, u, out, 12800, 10f));
        kernels.put("attention.scores", () -> attention.scores(q, k, heads, n, d, 0.25f, a));
        kernels.put("attention.context", () -> attention.context(a, k, heads, n, d, dq));
        kernels.put("attention.contextBackward", () -> attention.contextBackward(a, k, q, heads, n, d, da, dk));
        kernels.put("attention.scoresBackward",
                () -> attention.scoresBackward(a, da, q, k, heads, n, d, 0.25f, dq, dk));
        FloatMemory bias = FloatMemory.of(Nd4j.randn(DataType.FLOAT, 2, n, n));
        FloatMemory dBias = FloatMemory.of(Nd4j.create(DataType.FLOAT, 2, n, n));
        kernels.put("attention.biasedScores", () -> attention.biasedScores(q, k, bias, 2, heads, n, d, 0.25f, a));
        kernels.put("attention.biasGradient", () -> attention.biasGradient(a, da, heads, n, 2, dBias));
        kernels.put("distillation.distances", () -> distillation.distances(q, k, heads, n, d, 2, 0.1f, dq));
        kernels.put("attention.toHeads", () -> attention.toHeads(q, 1, n, 1, heads, d, dq));
        kernels.put("attention.fromHeads", () -> attention.fromHeads(dq, 1, n, 1, heads, d, dk));
        kernels.put("rectification.moments",
                () -> rectification.moments(q, 1, heads, n * d, perHead, first, second));
        kernels.put("rectification.forward",
                () -> rectification.forward(q, 1, heads, n * d, perHead, perHead, perHead, perHead, dq, dk));
        kernels.put("rectification.sums", () -> rectification.sums(k, q, 1, heads, n * d, first, second));
        kernels.put("rectification.backward",
                () -> rectification.backward(k, q, 1, heads, n * d, perHead, perHead, perHead, perHead, dq));
        kernels.put("blockNorm.forward",
                () -> blockNorm.forward(x, gamma, beta, 1e-5f, 200, 64, v, rowScale, out));
        kernels.put("blockNorm.backward",
                () -> blockNorm.backward(u, v, rowScale, gamma, 200, 64, out, sums, zeros));
        kernels.put("tokenNorm.forward",
                () -> tokenNorm.forward(q, gamma, beta, 1e-5f, heads * n, d, dq, rowScale, dk));
        kernels.put("tokenNorm.backward",
                () -> tokenNorm.backward(k, dq, rowScale, gamma, heads * n, d, a, sums, zeros));
        for (int i = 0; i < 4000; i++) {
            kernels.values().forEach(Runnable::run);
        }
        java.util.Map<String, Long> allocating = new java.util.LinkedHashMap<>();
        kernels.forEach((name, kernel) -> {
            // a kernel caught while it is recompiled runs boxed for a while: measured again after more calls, as the
            // guard waits out a streak; one that stays boxed fails
            long perCall = allocatedPerCall(kernel);
            for (int attempt = 0; attempt < 3 && perCall > AllocationGuard.ALLOWED_BYTES; attempt++) {
                System.out.printf("%s allocated %d bytes per call after warm-up: measured again%n", name, perCall);
                for (int i = 0; i < 2000; i++) {
                    kernel.run();
                }
                perCall = allocatedPerCall(kernel);
            }
            if (perCall > AllocationGuard.ALLOWED_BYTES) {
                allocating.put(name, perCall);
            }
        });
        assertThat(allocating).as("bytes per call of the warm kernels that allocate").isEmpty();
    }

    private static long allocatedPerCall(Runnable kernel) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10; i++) {
            kernel.run();
        }
        return (THREADS.getCurrentThreadAllocatedBytes() - before) / 10;
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
