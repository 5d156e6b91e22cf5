package dev.qvit.model.bench;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedStudent;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.Evaluator;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Step-time benchmark: medians over timed steps after warm-up, plus the machine's GEMM rate on the model's
 * largest product measured in the same process, so that changes can be compared run to run.
 */
public final class Benchmark {
    private final VitConfig config;
    private final int batch;
    private final int threads;
    private final int warmup;
    private final int timed;

    public Benchmark(VitConfig config, int batch, int threads, int warmup, int timed) {
        if (batch < ParallelWorkers.SLICES) {
            throw new IllegalArgumentException("batch " + batch + " is smaller than the " + ParallelWorkers.SLICES
                    + " slices of a batch");
        }
        this.config = config;
        this.batch = batch;
        this.threads = threads;
        this.warmup = warmup;
        this.timed = timed;
    }

    /** Runs everything and returns the results as ordered key/value pairs (numbers and strings). */
    public Map<String, Object> run(String configName, ImageDataset data) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", configName);
        out.put("batch", batch);
        out.put("threads", threads);
        out.put("slices", ParallelWorkers.SLICES);
        double gemm = gemmGflops();
        fullPrecision(data, out);
        quantizationAware(data, out);
        out.put("gemm_gflops", round(gemm));
        out.put("fp_train_gflops_per_gemm_gflops", round((double) out.get("fp_train_gflops") / gemm));
        out.put("qat_gflops_per_gemm_gflops", round((double) out.get("qat_gflops") / gemm));
        return out;
    }

    /**
     * A 4-bit QAT step with IRM (token form) and DGD on, teacher forward included; FLOPs counted as for the FP
     * step (student forward + backward, plus the teacher's forward) — quantizers and DGD add element-wise work
     * and small products that are not counted.
     */
    private void quantizationAware(ImageDataset data, Map<String, Object> out) {
        VisionTransformer teacher = VisionTransformer.create(config, 0);
        BatchLoader loader = new BatchLoader(data, null);
        int[] order = BatchLoader.shuffledOrder(data.count(), new java.util.Random(0));
        ImageDataset batchData = data.select(Arrays.copyOf(order, batch), "bench batch");
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(4, QuantizationConfig.Rectification.TOKEN), BatchLoader.firstImages(batchData, batch));
        try (ParallelWorkers<QuantizationAwareObjective> workers = QuantizationAwareTraining.workers(threads, student,
                teacher, DistillationSettings.on(0.1))) {
            Trainer trainer = QuantizationAwareTraining.trainer(new TrainingConfig(1, batch, 1e-4, 0, 0, 0, 0, 0, false),
                    workers);
            QuantizationAwareTraining.initializeQuantizers(workers,
                    BatchLoader.firstImages(batchData, batch).data().asFloat(), batch);
            double stepMs = median(() -> trainer.trainOnBatch(loader, order, 0, batch, 1e-4));
            double inferMs = median(() -> Evaluator.evaluate(workers, batchData, batch, () -> false));
            double flops = (FlopCount.trainingStep(config) + FlopCount.forward(config)) * batch;
            out.put("qat_step_ms", round(stepMs));
            out.put("qat_infer_batch_ms", round(inferMs));
            out.put("qat_img_s", round(batch / (stepMs / 1000)));
            out.put("qat_gflops", round(flops / (stepMs / 1000) / 1e9));
        }
    }

    private void fullPrecision(ImageDataset data, Map<String, Object> out) {
        VisionTransformer primary = VisionTransformer.create(config, 0);
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, primary)) {
            Trainer trainer = new Trainer(new TrainingConfig(1, batch, 1e-4, 0, 0, 0.05, 0, 0, false), workers,
                    primary.parameters());
            BatchLoader loader = new BatchLoader(data, null);
            int[] order = BatchLoader.shuffledOrder(data.count(), new java.util.Random(0));
            double stepMs = median(() -> trainer.trainOnBatch(loader, order, 0, batch, 1e-4));
            ImageDataset inferBatch = data.select(Arrays.copyOf(order, batch), "bench batch");
            double inferMs = median(() -> Evaluator.evaluate(workers, inferBatch, batch, () -> false));
            double flops = FlopCount.trainingStep(config) * batch;
            out.put("fp_train_step_ms", round(stepMs));
            out.put("fp_infer_batch_ms", round(inferMs));
            out.put("fp_train_img_s", round(batch / (stepMs / 1000)));
            out.put("fp_train_gflops", round(flops / (stepMs / 1000) / 1e9));
        }
    }

    /** GEMM [B*N, dim] x [dim, mlp] into a preallocated output, with BLAS on all worker threads' cores. */
    private double gemmGflops() {
        int rows = batch * config.numTokens();
        INDArray a = Nd4j.rand(DataType.FLOAT, rows, config.dim());
        INDArray b = Nd4j.rand(DataType.FLOAT, config.dim(), config.mlpDim());
        INDArray c = Nd4j.create(DataType.FLOAT, rows, config.mlpDim());
        int previous = Nd4j.factory().blas().getMaxThreads();
        Nd4j.factory().blas().setMaxThreads(threads);
        try {
            for (int i = 0; i < 20; i++) {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            }
            double ms = median(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), 50);
            return FlopCount.largestGemm(config, batch) / (ms / 1000) / 1e9;
        } finally {
            Nd4j.factory().blas().setMaxThreads(previous);
        }
    }

    private double median(Runnable r) {
        for (int i = 0; i < warmup; i++) {
            r.run();
        }
        return median(r, timed);
    }

    private static double median(Runnable r, int timed) {
        double[] ms = new double[timed];
        for (int i = 0; i < timed; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return timed % 2 == 1 ? ms[timed / 2] : (ms[timed / 2 - 1] + ms[timed / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
