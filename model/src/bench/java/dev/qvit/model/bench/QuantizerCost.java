package dev.qvit.model.bench;

import dev.qvit.model.nn.Gelu;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.quant.LsqQuantizer;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPU time of one LSQ activation quantizer's forward + backward on the tiny model's largest activation (fc2 input of
 * one worker's half batch, [64 * 50, 256]) and on attention probabilities ([64, 4, 50, 50], per-head steps), next to
 * the GEMM of the same size. Thread CPU time, so that a busy machine disturbs it less than wall time. A main, not a
 * test; run as SameDiffBlockComparison says, with OMP_NUM_THREADS=1 and MAVEN_OPTS="--add-modules jdk.incubator.vector"
 * (exec:java runs in Maven's JVM), for each kernel path.
 */
public final class QuantizerCost {

    private QuantizerCost() {
    }

    public static void main(String[] args) {
        Nd4j.factory().blas().setMaxThreads(1);
        Nd4j.getRandom().setSeed(7);                     // the same inputs on every run
        for (Kernels.Path path : Kernels.Path.values()) {
            report(path, "fc2 input [3200, 256], per column", new long[]{3200, 256}, 1, 256);
            report(path, "attention [64, 4, 50, 50], per head", new long[]{64, 4, 50, 50}, 1, 4);
            gelu(path);
            rectification(path);
            layerNorm(path, "IRM token form [64 * 4 * 50, 16]", 12800, 16);
            layerNorm(path, "block norm [64 * 50, 64]", 3200, 64);
        }
        INDArray a = Nd4j.rand(DataType.FLOAT, 3200, 64);
        INDArray b = Nd4j.rand(DataType.FLOAT, 64, 256);
        INDArray c = Nd4j.create(DataType.FLOAT, 3200, 256);
        double gemm = median(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        System.out.printf(Locale.ROOT, "gemm [3200,64]x[64,256]: %.3f ms CPU%n", gemm);
    }

    private static void report(Kernels.Path path, String what, long[] shape, int axis, int channels) {
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        LsqQuantizer q = LsqQuantizer.forActivation(params, "q", 4, channels, axis);
        params.allocate();
        q.useKernels(path);
        INDArray x = Nd4j.randn(DataType.FLOAT, shape);
        INDArray u = Nd4j.randn(DataType.FLOAT, shape);
        q.forward(x, true);
        double fwd = median(() -> q.forward(x, true));
        double bwd = median(() -> q.backward(u));
        System.out.printf(Locale.ROOT, "%-6s %s: forward %.3f ms, backward %.3f ms CPU, %d bytes allocated per "
                + "forward + backward%n", path.label(), what, fwd, bwd, allocated(() -> {
                    q.forward(x, true);
                    q.backward(u);
                }));
    }

    private static void gelu(Kernels.Path path) {
        Gelu gelu = new Gelu(DataType.FLOAT, 10.0).useKernels(path);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3200, 256);
        INDArray u = Nd4j.randn(DataType.FLOAT, 3200, 256);
        gelu.forward(x);
        double fwd = median(() -> gelu.forward(x));
        double bwd = median(() -> gelu.backward(u));
        long bytes = allocated(() -> {
            gelu.forward(x);
            gelu.backward(u);
        });
        System.out.printf(Locale.ROOT, "%-6s GELU clipped [3200, 256]: forward %.3f ms, backward %.3f ms CPU, %d bytes "
                + "allocated per forward + backward%n", path.label(), fwd, bwd, bytes);
    }

    private static void rectification(Kernels.Path path) {
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        DistributionRectification irm = new DistributionRectification(params, "irm", 4);
        params.allocate();
        irm.initIdentity(new double[4], new double[] {1, 1, 1, 1});
        irm.useKernels(path);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 4, 50, 16);
        INDArray u = Nd4j.randn(DataType.FLOAT, 64, 4, 50, 16);
        irm.forward(x, true);
        double fwd = median(() -> irm.forward(x, true));
        double bwd = median(() -> irm.backward(u));
        long bytes = allocated(() -> {
            irm.forward(x, true);
            irm.backward(u);
        });
        System.out.printf(Locale.ROOT, "%-6s IRM distribution form [64, 4, 50, 16]: forward %.3f ms, backward %.3f ms "
                + "CPU, %d bytes allocated per forward + backward%n", path.label(), fwd, bwd, bytes);
    }

    private static void layerNorm(Kernels.Path path, String what, int rows, int dim) {
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        LayerNorm norm = new LayerNorm(params, "norm", dim, 1e-5);
        params.allocate();
        norm.init();
        norm.useKernels(path);
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, dim);
        INDArray u = Nd4j.randn(DataType.FLOAT, rows, dim);
        for (int i = 0; i < 300; i++) {
            norm.forward(x);
            norm.backward(u);
        }
        double fwd = median(() -> norm.forward(x));
        double bwd = median(() -> norm.backward(u));
        long bytes = allocated(() -> {
            norm.forward(x);
            norm.backward(u);
        });
        System.out.printf(Locale.ROOT, "%-6s LayerNorm, %s: forward %.3f ms, backward %.3f ms CPU, %d bytes allocated "
                + "per forward + backward%n", path.label(), what, fwd, bwd, bytes);
    }

    private static long allocated(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static double median(Runnable work) {
        return ThreadCpuTime.medianMillis(work, 20, 60);
    }
}
