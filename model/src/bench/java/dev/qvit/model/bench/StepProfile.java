package dev.qvit.model.bench;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Gelu;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.train.AdamW;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.quant.AttentionQuantizers;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.vit.AttentionTrace;
import dev.qvit.model.vit.MultiHeadSelfAttention;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.TransformerBlock;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where one worker's share of a full-precision training step goes: the tiny model on 64 images (one of the two
 * workers' halves of a 128 batch), single-threaded, each part timed alone (thread CPU time, median) and set against
 * its GEMM FLOPs at the single-threaded GEMM rate of the model's largest product. A main, not a test; run as
 * SameDiffBlockComparison says, with OMP_NUM_THREADS=1.
 */
public final class StepProfile {
    private static final int IMAGES = Integer.getInteger("images", 64);     // 32: one of the 4 slices of a 128 batch

    private StepProfile() {
    }

    public static void main(String[] args) {
        Nd4j.factory().blas().setMaxThreads(1);
        Nd4j.getRandom().setSeed(11);                     // the same inputs on every run
        VitConfig c = VitConfig.tiny();
        int rows = IMAGES * c.numTokens();
        double gemmRate = gemmGflops(rows, c.dim(), c.mlpDim());
        System.out.printf(Locale.ROOT, "single-thread GEMM [%d,%d]x[%d,%d]: %.1f GFLOP/s%n", rows, c.dim(), c.dim(),
                c.mlpDim(), gemmRate);

        VisionTransformer model = VisionTransformer.create(c, 0);
        ImageDataset data = FashionMnist.bundled().train().head(IMAGES);
        float[] images = dev.qvit.model.data.BatchLoader.firstImages(data, IMAGES).data().asFloat();
        ClassificationObjective objective = new ClassificationObjective(model);
        int[] labels = new int[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            labels[i] = data.label(i);
        }
        double whole = median(() -> objective.trainStep(images, labels, IMAGES, 0));
        double wholeFlops = FlopCount.trainingStep(c) * IMAGES;
        row("whole worker step (forward, loss, backward)", whole, wholeFlops, gemmRate, whole);
        allocation("FP worker step", () -> objective.trainStep(images, labels, IMAGES, 0));

        TransformerBlock block = model.blocks().get(0);
        MultiHeadSelfAttention attention = block.attention();
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, c.dim());
        INDArray dy = Nd4j.randn(DataType.FLOAT, rows, c.dim());
        int depth = c.depth();
        double linearQkv = linear(attention.qkv(), rows, c.dim(), 3 * c.dim());
        double linearProj = linear(attention.proj(), rows, c.dim(), c.dim());
        double linearFc1 = linear(block.mlp().fc1(), rows, c.dim(), c.mlpDim());
        double linearFc2 = linear(block.mlp().fc2(), rows, c.mlpDim(), c.dim());
        double attentionAll = median(() -> {
            attention.attend(x, IMAGES, true);
            attention.backward(dy);
        });
        double core = attentionAll - linearQkv - linearProj;
        long scores = 2L * IMAGES * c.numHeads() * c.numTokens() * c.numTokens() * c.headDim();  // q k^T, one pass
        ParameterSet normParams = new ParameterSet(DataType.FLOAT);
        LayerNorm norm = new LayerNorm(normParams, "n", c.dim(), 1e-6);
        normParams.allocate();
        norm.init();
        double layerNorm = median(() -> {
            norm.forward(x);
            norm.backward(dy);
        });
        Gelu gelu = new Gelu(DataType.FLOAT);
        INDArray h = Nd4j.randn(DataType.FLOAT, rows, c.mlpDim());
        INDArray dh = Nd4j.randn(DataType.FLOAT, rows, c.mlpDim());
        double geluTime = median(() -> {
            gelu.forward(h);
            gelu.backward(dh);
        });
        INDArray sum = Nd4j.create(DataType.FLOAT, rows, c.dim());
        double residual = median(() -> x.add(dy, sum));
        ParameterSet params = model.parameters();
        AdamW adam = new AdamW(params, 0.05);
        double optimizer = median(() -> adam.step(1e-4));

        System.out.println("per step (all " + depth + " blocks), forward + backward:");
        row("  qkv linear", depth * linearQkv, depth * 6.0 * rows * c.dim() * 3 * c.dim(), gemmRate, whole);
        row("  attention core (split heads, q k^T, softmax, A v)", depth * core, depth * 3.0 * 2 * scores, gemmRate, whole);
        row("  proj linear", depth * linearProj, depth * 6.0 * rows * c.dim() * c.dim(), gemmRate, whole);
        row("  fc1 linear", depth * linearFc1, depth * 6.0 * rows * c.dim() * c.mlpDim(), gemmRate, whole);
        row("  GELU (exact in float64, A&S erf in float32)", depth * geluTime, 0, gemmRate, whole);
        row("  fc2 linear", depth * linearFc2, depth * 6.0 * rows * c.mlpDim() * c.dim(), gemmRate, whole);
        row("  2 layer norms", depth * 2 * layerNorm, 0, gemmRate, whole);
        row("  4 residual adds (2 forward, 2 backward)", depth * 4 * residual, 0, gemmRate, whole);
        double parts = depth * (linearQkv + core + linearProj + linearFc1 + geluTime + linearFc2 + 2 * layerNorm
                + 4 * residual);
        row("  rest (patch embedding, head, loss, copies)", whole - parts, 0, gemmRate, whole);
        System.out.printf(Locale.ROOT, "after the workers: AdamW on %,d parameters %.2f ms (once per step, on the "
                + "trainer's thread)%n", params.size(), optimizer);
        quantizationAware(model, images, labels, gemmRate);
    }

    /**
     * The same worker's share of a 4-bit QAT step with token IRM and DGD (lambda 0.1), the bench's student: the
     * teacher's forward, the student's forward and backward, and inside them the parts QAT adds.
     */
    private static void quantizationAware(VisionTransformer teacher, float[] images, int[] labels, double gemmRate) {
        VitConfig c = teacher.config();
        INDArray batch = Nd4j.create(images, new long[] {IMAGES, c.channels(), c.imageSize(), c.imageSize()});
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(4, QuantizationConfig.Rectification.TOKEN), batch);
        QuantizationAwareObjective objective = new QuantizationAwareObjective(student, teacher,
                DistillationSettings.on(0.1));
        double whole = median(() -> objective.trainStep(images, labels, IMAGES, 0));
        double flops = (FlopCount.trainingStep(c) + FlopCount.forward(c)) * IMAGES;
        System.out.println("4-bit QAT, token IRM, DGD lambda 0.1:");
        row("whole worker step (teacher forward, student, DGD)", whole, flops, gemmRate, whole);
        allocation("QAT worker step", () -> objective.trainStep(images, labels, IMAGES, 0));
        double teacherForward = median(() -> teacher.trace(batch, false));
        row("  teacher forward", teacherForward, FlopCount.forward(c) * IMAGES, gemmRate, whole);
        VisionTransformer.Traced[] traced = new VisionTransformer.Traced[1];
        double studentForward = median(() -> traced[0] = student.trace(batch, true));
        row("  student forward", studentForward, FlopCount.forward(c) * IMAGES, gemmRate, whole);

        int depth = c.depth();
        TransformerBlock block = student.blocks().get(0);
        AttentionQuantizers q = block.attention().quantizers();
        INDArray heads = traced[0].attention().get(0).query();                       // [B, H, N, d]
        INDArray dHeads = Nd4j.randn(DataType.FLOAT, heads.shape());
        double irm = median(() -> {
            q.queryRectification().forward(heads, true);
            q.queryRectification().backward(dHeads);
        });
        double qkv = median(() -> {
            q.query().forward(heads, true);
            q.query().backward(dHeads);
        });
        INDArray probabilities = traced[0].attention().get(0).attention();             // [B, H, N, N]
        INDArray dProbabilities = Nd4j.randn(DataType.FLOAT, probabilities.shape());
        double attentionQuantizer = median(() -> {
            q.attention().forward(probabilities, true);
            q.attention().backward(dProbabilities);
        });
        int rows = IMAGES * c.numTokens();
        double quantizedQkv = linear(block.attention().qkv(), rows, c.dim(), 3 * c.dim());
        double quantizedFc1 = linear(block.mlp().fc1(), rows, c.dim(), c.mlpDim());
        double quantizedFc2 = linear(block.mlp().fc2(), rows, c.mlpDim(), c.dim());
        double quantizedProj = linear(block.attention().proj(), rows, c.dim(), c.dim());
        List<AttentionTrace> t = teacher.trace(batch, false).attention();
        List<AttentionTrace> st = student.trace(batch, true).attention();
        DistributionGuidedDistillation dgd = new DistributionGuidedDistillation(DistributionGuidedDistillation.Norm.HEAD,
                student.parameters().buffers());
        INDArray dq = Nd4j.create(DataType.FLOAT, heads.shape());
        double distillation = median(() -> dgd.compute("q0", st.get(0).usedQuery(), t.get(0).query(), 0.1, dq));
        double linears = depth * (quantizedQkv + quantizedProj + quantizedFc1 + quantizedFc2);
        System.out.println("  per step (all " + depth + " blocks), forward + backward:");
        row("    4 quantized linears (weight and input LSQ, GEMMs)", linears, depth * 6.0 * rows * c.dim()
                * (3 * c.dim() + c.dim() + 2 * c.mlpDim()), gemmRate, whole);
        row("    IRM of q and k", depth * 2 * irm, 0, gemmRate, whole);
        for (Kernels.Path path : new Kernels.Path[] {Kernels.Path.ND4J, Kernels.path()}) {
            row("    (IRM's distribution form instead, " + path.label() + ")", depth * 2 * distribution(heads,
                    dHeads, c.numHeads(), path), 0, gemmRate, whole);
        }
        row("    LSQ of q, k, v", depth * 3 * qkv, 0, gemmRate, whole);
        row("    LSQ of the attention probabilities", depth * attentionQuantizer, 0, gemmRate, whole);
        row("    DGD of q and k (similarities, loss, gradient)", depth * 2 * distillation, 0, gemmRate, whole);
    }

    /**
     * What one warm step allocates: on the Java heap (the thread's counter) and off it (ND4J's native allocations,
     * counted by its workspace-less memory manager as the change in the process's allocated native bytes).
     */
    private static void allocation(String what, Runnable step) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Integer.getInteger("warmSteps", 40); i++) {   // every kernel compiled
            step.run();
        }
        int steps = 10;
        long heap = threads.getCurrentThreadAllocatedBytes();
        long offHeap = org.bytedeco.javacpp.Pointer.totalBytes();
        long calls = org.bytedeco.javacpp.Pointer.totalCount();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        heap = threads.getCurrentThreadAllocatedBytes() - heap;
        System.out.printf(Locale.ROOT, "%s allocates %,d bytes on the heap per step; native memory held %+,d bytes "
                + "and %+d pointers after %d steps%n", what, heap / steps,
                org.bytedeco.javacpp.Pointer.totalBytes() - offHeap, org.bytedeco.javacpp.Pointer.totalCount() - calls,
                steps);
    }

    private static double linear(DenseLayer layer, int rows, int in, int out) {
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, in);
        INDArray dy = Nd4j.randn(DataType.FLOAT, rows, out);
        return median(() -> {
            layer.forward(x, true);
            layer.backward(dy);
        });
    }

    private static void row(String what, double ms, double flops, double gemmRate, double whole) {
        String ideal = flops > 0 ? String.format(Locale.ROOT, "%7.2f ms at GEMM rate (%4.0f %%)",
                flops / gemmRate / 1e6, 100 * flops / gemmRate / 1e6 / ms) : "        element-wise only        ";
        System.out.printf(Locale.ROOT, "%-52s %8.2f ms  %5.1f %% of step   %s%n", what, ms, 100 * ms / whole, ideal);
    }

    private static double gemmGflops(int rows, int inner, int cols) {
        INDArray a = Nd4j.rand(DataType.FLOAT, rows, inner);
        INDArray b = Nd4j.rand(DataType.FLOAT, inner, cols);
        INDArray c = Nd4j.create(DataType.FLOAT, rows, cols);
        double ms = median(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        return 2.0 * rows * inner * cols / (ms / 1000) / 1e9;
    }

    /** Forward and backward of IRM's distribution form on q [B, H, N, d] on one kernel path. */
    private static double distribution(INDArray heads, INDArray dHeads, int h, Kernels.Path path) {
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        DistributionRectification irm = new DistributionRectification(params, "irm", h);
        params.allocate();
        double[] mu = new double[h];
        double[] sigma = new double[h];
        java.util.Arrays.fill(sigma, 1.0);
        irm.initIdentity(mu, sigma);
        irm.useKernels(path);
        for (int i = 0; i < 300; i++) {                 // a new kernel: warm it as a run's first steps would
            irm.forward(heads, true);
            irm.backward(dHeads);
        }
        return median(() -> {
            irm.forward(heads, true);
            irm.backward(dHeads);
        });
    }

    private static double median(Runnable work) {
        return ThreadCpuTime.medianMillis(work, 10, 31);
    }
}
