package dev.qvit.model.bench;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.Evaluator;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import dev.qvit.model.probe.AttentionProbe;
import dev.qvit.model.probe.ProbeBatch;


/**
 * Step-time benchmark: medians over timed steps after warm-up, plus the machine's GEMM rate on the model's
 * largest product measured in the same process, so that changes can be compared run to run.
 */
public final class Benchmark {
    private final int trainImages = FashionMnist.bundled().train().count();
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

    /** Runs everything on the bundled data and returns the results as ordered key/value pairs (numbers and strings). */
    public Map<String, Object> run(String configName) throws InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", configName);
        out.put("batch", batch);
        out.put("threads", threads);
        out.put("slices", ParallelWorkers.SLICES);
        List<Double> gemmSamples = new ArrayList<>();
        gemmSamples.add(gemmGflops());
        fullPrecision(out);
        gemmSamples.add(gemmGflops());
        quantizationAware(out);
        gemmSamples.add(gemmGflops());
        double gemm = gemmSamples.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        out.put("kernels", Kernels.describe());           // after the runs: a fallback during them shows
        out.put("gemm_gflops", round(gemm));                    // the best of the samples: the machine's rate
        out.put("gemm_gflops_samples", gemmSamples.stream().map(Benchmark::round).toList());
        out.put("fp_train_gflops_per_gemm_gflops", round((double) out.get("fp_train_gflops") / gemm));
        out.put("qat_gflops_per_gemm_gflops", round((double) out.get("qat_gflops") / gemm));
        return out;
    }

    /**
     * A 4-bit QAT step with IRM (token form) and DGD on, teacher forward included; FLOPs counted as for the FP
     * step (student forward + backward, plus the teacher's forward) — quantizers and DGD add element-wise work
     * and small products that are not counted.
     */
    private void quantizationAware(Map<String, Object> out) throws InterruptedException {
        VisionTransformer teacher = VisionTransformer.create(config, 0);
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT, config,
                data(), "random", QuantizationConfig.of(4, QuantizationConfig.Rectification.TOKEN),
                DistillationSettings.on(0.1), recipe(0));
        Timed timed = timedRun(spec, new ExperimentRun.Teacher(teacher, Double.NaN), RunOptions.headless(threads),
                true);
        Timed probed = timedRun(spec, new ExperimentRun.Teacher(teacher, Double.NaN),
                RunOptions.headless(threads).probingEvery(RunOptions.WINDOW_PROBE_MILLIS), false);
        double flops = (FlopCount.trainingStep(config) + FlopCount.forward(config)) * batch;
        out.put("qat_step_ms", round(timed.stepMs()));
        out.put("qat_infer_batch_ms", round(timed.inferMs()));
        out.put("qat_oscillation_ms_per_step", round(timed.oscillationMs()));
        out.put("qat_oscillation_percent_of_step", round(100 * timed.oscillationMs() / timed.stepMs()));
        out.put("qat_img_s", round(batch / (timed.stepMs() / 1000)));
        out.put("probe_ms", round(timed.probeMs()));
        out.put("qat_probed_img_s", round(batch / (probed.meanStepMs() / 1000)));       // the mean: probes are rare
        out.put("qat_probed_percent_of_headless", round(100 * timed.meanStepMs() / probed.meanStepMs()));
        out.put("probe_percent_of_step", round(100 * timed.probeMs() / timed.stepMs()));
        out.put("qat_gflops", round(flops / (timed.stepMs() / 1000) / 1e9));
    }

    private void fullPrecision(Map<String, Object> out) throws InterruptedException {
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.TEACHER, config,
                data(), null, null, null, recipe(0.05));
        Timed timed = timedRun(spec, null, RunOptions.headless(threads), false);
        double flops = FlopCount.trainingStep(config) * batch;
        out.put("fp_train_step_ms", round(timed.stepMs()));
        out.put("fp_infer_batch_ms", round(timed.inferMs()));
        out.put("fp_train_img_s", round(batch / (timed.stepMs() / 1000)));
        out.put("fp_train_gflops", round(flops / (timed.stepMs() / 1000) / 1e9));
    }

    /** Enough bundled training images for the steps, and one batch of test images. */
    private ExperimentSpec.Data data() {
        return new ExperimentSpec.Data("bundled", Math.min(trainImages, batch * (warmup + timed)), batch);
    }

    private TrainingConfig recipe(double weightDecay) {
        int stepsPerEpoch = (data().trainLimit() + batch - 1) / batch;
        int epochs = (warmup + timed + stepsPerEpoch - 1) / stepsPerEpoch + 1;  // + 1: the first step of each epoch is not timed
        return new TrainingConfig(epochs, batch, 1e-4, 0, 0, weightDecay, 0, 0, false);
    }

    /**
     * @param oscillationMs weight oscillation tracking per step (students; included in the step time)
     * @param probeMs       one probe of the trained model (what the window's views draw), as the run takes it;
     *                      NaN when not measured
     */
    private record Timed(double stepMs, double meanStepMs, double inferMs, double oscillationMs, double probeMs) {
    }

    /**
     * Runs the spec as any run is run (probed as {@code options} say; a step's time then includes the probe that
     * followed it, as the workers wait for it) and takes the median step time after warm-up from the steps' wall-clock
     * times (the first step of an epoch follows the previous epoch's evaluation and is left out), then the median
     * time of a batch's inference on the trained model.
     */
    private Timed timedRun(ExperimentSpec spec, ExperimentRun.Teacher teacher, RunOptions options,
                           boolean probeCost) throws InterruptedException {
        List<Double> stepMs = new ArrayList<>();
        double[] previous = {0};
        long[] counted = {0};
        long[] steps = {0};
        RunControl control = new RunControl();
        ExperimentRun run = ExperimentRun.prepare(spec, teacher, options);
        int stepsPerEpoch = (int) (run.totalSteps() / spec.training().epochs());
        dev.qvit.model.vit.Backbone model = run.run(RunEvent.Listener.of(new RunEvent.Handler() {
            @Override
            public void step(RunEvent.Step e) {
                steps[0]++;
                double ms = (e.metrics().elapsedSeconds() - previous[0]) * 1000;
                previous[0] = e.metrics().elapsedSeconds();
                if (e.metrics().step() % stepsPerEpoch != 0 && counted[0]++ >= warmup && stepMs.size() < timed) {
                    stepMs.add(ms);
                }
                if (stepMs.size() == timed) {
                    control.cancel();
                }
            }
        }), control).model();
        ImageDataset inferBatch = run.data().test();
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, model)) {
            double inferMs = median(() -> Evaluator.evaluate(workers, inferBatch, batch, () -> false));
            double oscillationMs = run.weightOscillation() == null ? 0
                    : run.weightOscillation().seconds() * 1000 / Math.max(1, steps[0]);
            double probeMs = probeCost ? probeMs(model, run.data().test()) : Double.NaN;
            double[] times = stepMs.stream().mapToDouble(Double::doubleValue).toArray();
            return new Timed(median(times), Arrays.stream(times).average().orElse(Double.NaN), inferMs,
                    oscillationMs, probeMs);
        }
    }

    /** One probe of {@code model} as a run takes it: through a replica, on the probe batch of {@code test}. */
    private double probeMs(dev.qvit.model.vit.Backbone model, ImageDataset test) {
        AttentionProbe probe = new AttentionProbe(ProbeBatch.of(test, ExperimentRun.PROBES_PER_CLASS),
                ExperimentRun.ATTENTION_IMAGES);
        dev.qvit.model.vit.Backbone probed = model.replica();
        return median(() -> probe.capture(probed));
    }

    /**
     * GEMM [B*N, dim] x [dim, mlp] into a preallocated output, with BLAS on all worker threads' cores. One sample
     * swings widely on a shared machine, so the run takes several, spread over it, and keeps the best.
     */
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
        return median(ms);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
