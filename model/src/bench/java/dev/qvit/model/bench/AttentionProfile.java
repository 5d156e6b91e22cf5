package dev.qvit.model.bench;

import dev.qvit.model.nn.fused.AttentionKernel;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Where one block's attention core goes for one worker (64 images, tiny model): the kernels and the head copies. */
public final class AttentionProfile {
    private AttentionProfile() {
    }

    public static void main(String[] args) {
        Nd4j.factory().blas().setMaxThreads(1);
        int b = 64;
        int h = 4;
        int n = 50;
        int d = 16;
        int dim = h * d;
        AttentionKernel core = Kernels.attention(Kernels.path(), d);
        INDArray qkvOut = Nd4j.randn(DataType.FLOAT, (long) b * n, 3L * dim);
        INDArray heads = Nd4j.create(DataType.FLOAT, 3, b, h, n, d);
        INDArray attn = Nd4j.create(DataType.FLOAT, b, h, n, n);
        INDArray dattn = Nd4j.randn(DataType.FLOAT, b, h, n, n);
        INDArray ctx = Nd4j.create(DataType.FLOAT, (long) b * h, n, d);
        INDArray merged = Nd4j.create(DataType.FLOAT, b, n, h, d);
        INDArray dq = Nd4j.create(DataType.FLOAT, b, h, n, d);
        INDArray dk = Nd4j.create(DataType.FLOAT, b, h, n, d);
        INDArray dqkv = Nd4j.create(DataType.FLOAT, (long) b * n, 3L * dim);
        heads.assign(qkvOut.reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4));
        FloatMemory q = FloatMemory.of(heads.slice(0));
        FloatMemory k = FloatMemory.of(heads.slice(1));
        FloatMemory v = FloatMemory.of(heads.slice(2));
        FloatMemory a = FloatMemory.of(attn);
        float scale = 0.25f;
        core.scores(q, k, b * h, n, d, scale, a);
        row("split heads (permute assign)", time(() -> heads.assign(qkvOut.reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4))));
        row("scores + softmax", time(() -> core.scores(q, k, b * h, n, d, scale, a)));
        row("context A v", time(() -> core.context(a, v, b * h, n, d, FloatMemory.of(ctx))));
        row("merge heads (permute assign)", time(() -> merged.assign(ctx.reshape(b, h, n, d).permute(0, 2, 1, 3))));
        row("split dctx (permute assign)", time(() -> dq.assign(merged.reshape(b, n, h, d).permute(0, 2, 1, 3))));
        row("context backward", time(() -> core.contextBackward(a, v, FloatMemory.of(dq), b * h, n, d,
                FloatMemory.of(dattn), FloatMemory.of(dk))));
        row("scores backward", time(() -> core.scoresBackward(a, FloatMemory.of(dattn), q, k, b * h, n, d, scale,
                FloatMemory.of(dq), FloatMemory.of(dk))));
        row("merge dheads (permute assign)", time(() -> dqkv.reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4).assign(heads)));
        FloatMemory rows = FloatMemory.of(qkvOut);
        FloatMemory split = FloatMemory.of(heads);
        FloatMemory context = FloatMemory.of(ctx);
        FloatMemory mergedRows = FloatMemory.of(merged);
        FloatMemory dContext = FloatMemory.of(dq);
        FloatMemory dRows = FloatMemory.of(dqkv);
        row("split heads (kernel)", time(() -> core.toHeads(rows, b, n, 3, h, d, split)));
        row("merge heads (kernel)", time(() -> core.fromHeads(context, b, n, 1, h, d, mergedRows)));
        row("split dctx (kernel)", time(() -> core.toHeads(mergedRows, b, n, 1, h, d, dContext)));
        row("merge dheads (kernel)", time(() -> core.fromHeads(split, b, n, 3, h, d, dRows)));
        row("FloatMemory.of x10", time(() -> {
            for (int i = 0; i < 10; i++) {
                FloatMemory.of(attn);
            }
        }));
    }

    private static double time(Runnable r) {
        double ms = ThreadCpuTime.medianMillis(r, 20, Integer.getInteger("reps", 31));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        r.run();
        allocated = mx.getCurrentThreadAllocatedBytes() - before;
        return ms;
    }

    private static long allocated;

    private static void row(String what, double ms) {
        System.out.printf(Locale.ROOT, "%-36s %7.2f ms %,10d B%n", what, ms, allocated);
    }
}
