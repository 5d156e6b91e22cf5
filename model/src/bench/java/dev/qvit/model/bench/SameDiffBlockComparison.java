package dev.qvit.model.bench;

import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.vit.TransformerBlock;
import dev.qvit.model.vit.VitConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.api.ops.impl.transforms.same.Round;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Engine comparison for one pre-norm transformer block of the tiny ViT: the project's hand-written
 * forward/backward ({@link TransformerBlock}) against ND4J SameDiff autodiff of the same graph, plus an LSQ
 * custom-gradient experiment in SameDiff. Not a unit test (no {@code @Test}, so Surefire never runs it); run it
 * as a main:
 *
 * <pre>
 *   cd model &amp;&amp; mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 *   java -cp target/classes:target/test-classes:$(cat cp.txt) dev.qvit.model.bench.SameDiffBlockComparison \
 *        [--threads default|single] [--batches 64,128] [--warmup 10] [--timed 25] [--api] [--lsq]
 * </pre>
 *
 * --threads single calls ParallelWorkers.useSingleThreadedKernels(); in ND4J M2.1 that makes only BLAS single-threaded,
 * so prefix the command with OMP_NUM_THREADS=1 for truly single-threaded kernels. --api times the SameDiff entry
 * points against each other; --lsq runs only the LSQ custom-gradient experiment.
 *
 * Loss for both engines: L = sum(out * R), so dL/dout = R is the hand-written block's upstream gradient.
 * Timed: one forward + backward giving the gradients of all 12 block parameters and of the input. The engines are
 * interleaved in a rotating order every iteration so that load on the machine hits them equally.
 */
public final class SameDiffBlockComparison {
    private static final double LN_EPS = 1e-6;
    private static final String P = "blocks.0";
    /** Block parameter names, as the project's ParameterSet declares them. */
    private static final String[] PARAMS = {
        P + ".norm1.weight", P + ".norm1.bias", P + ".attn.qkv.weight", P + ".attn.qkv.bias",
        P + ".attn.proj.weight", P + ".attn.proj.bias", P + ".norm2.weight", P + ".norm2.bias",
        P + ".mlp.fc1.weight", P + ".mlp.fc1.bias", P + ".mlp.fc2.weight", P + ".mlp.fc2.bias"};

    private SameDiffBlockComparison() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = parse(args);
        String threads = opt.getOrDefault("threads", "default");
        if (threads.equals("single")) {
            ParallelWorkers.useSingleThreadedKernels();
        } else if (!threads.equals("default")) {
            throw new IllegalArgumentException("--threads default|single");
        }
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10"));
        int timed = Integer.parseInt(opt.getOrDefault("timed", "25"));
        // ND4J M2.1's Environment.setMaxThreads is a no-op: maxThreads stays at the core count unless the process was
        // started with OMP_NUM_THREADS=1, so useSingleThreadedKernels() alone leaves ND4J's own ops on 2 threads
        System.out.printf(Locale.ROOT, "threads=%s  OMP_NUM_THREADS=%s  nd4j maxThreads=%d  blas maxThreads=%d  warmup=%d timed=%d%n",
                threads, System.getenv("OMP_NUM_THREADS"), Nd4j.getEnvironment().maxThreads(),
                Nd4j.factory().blas().getMaxThreads(), warmup, timed);

        if (opt.containsKey("lsq")) {
            LsqExperiment.run();
            return;
        }
        VitConfig config = VitConfig.tiny();
        checkAgreement(config, DataType.DOUBLE, 4);
        checkAgreement(config, DataType.FLOAT, 4);
        checkAgreement(config, DataType.FLOAT, 64);
        for (String b : opt.getOrDefault("batches", "64,128").split(",")) {
            int batch = Integer.parseInt(b.trim());
            if (opt.containsKey("api")) {
                compareSameDiffApis(config, batch, warmup, timed);
            } else {
                timeEngines(config, batch, warmup, timed);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // The block in SameDiff
    // ------------------------------------------------------------------------------------------------------

    /**
     * The same pre-norm block as a SameDiff graph. Inputs: placeholders "x" [B*N, D] and "r" [B*N, D]; output
     * "out" [B*N, D]; loss "loss" = sum(out * r). Variables are named like the project's parameters.
     *
     * @param fusedLayerNorm use ND4J's layer_norm op (which has no epsilon) instead of mean/variance ops with eps 1e-6
     */
    static SameDiff buildBlock(VitConfig c, DataType dt, boolean fusedLayerNorm) {
        int dim = c.dim(), heads = c.numHeads(), hd = c.headDim(), tokens = c.numTokens(), mlp = c.mlpDim();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1, dim);
        SDVariable r = sd.placeHolder("r", dt, -1, dim);
        SDVariable ln1w = sd.var(P + ".norm1.weight", dt, dim), ln1b = sd.var(P + ".norm1.bias", dt, dim);
        SDVariable qkvW = sd.var(P + ".attn.qkv.weight", dt, 3 * dim, dim), qkvB = sd.var(P + ".attn.qkv.bias", dt, 3 * dim);
        SDVariable projW = sd.var(P + ".attn.proj.weight", dt, dim, dim), projB = sd.var(P + ".attn.proj.bias", dt, dim);
        SDVariable ln2w = sd.var(P + ".norm2.weight", dt, dim), ln2b = sd.var(P + ".norm2.bias", dt, dim);
        SDVariable fc1W = sd.var(P + ".mlp.fc1.weight", dt, mlp, dim), fc1B = sd.var(P + ".mlp.fc1.bias", dt, mlp);
        SDVariable fc2W = sd.var(P + ".mlp.fc2.weight", dt, dim, mlp), fc2B = sd.var(P + ".mlp.fc2.bias", dt, dim);

        // attention branch
        SDVariable h = layerNorm(sd, x, ln1w, ln1b, fusedLayerNorm);
        SDVariable qkv = linear(sd, h, qkvW, qkvB);                                          // [B*N, 3D]
        SDVariable split = qkv.reshape(-1, tokens, 3, heads, hd).permute(2, 0, 3, 1, 4);      // [3, B, H, N, d]
        SDVariable[] qkvHeads = sd.unstack(split, 0, 3);                                      // 3 x [B, H, N, d]
        SDVariable scores = sd.mmul(qkvHeads[0], qkvHeads[1], false, true, false).mul(1.0 / Math.sqrt(hd));
        SDVariable attn = sd.nn.softmax(scores, 3);                                           // [B, H, N, N]
        SDVariable ctx = sd.mmul(attn, qkvHeads[2]);                                          // [B, H, N, d]
        SDVariable merged = ctx.permute(0, 2, 1, 3).reshape(-1, dim);                         // [B*N, D]
        SDVariable x1 = x.add(linear(sd, merged, projW, projB));
        // MLP branch with exact GELU x * (1 + erf(x / sqrt 2)) / 2
        SDVariable f = linear(sd, layerNorm(sd, x1, ln2w, ln2b, fusedLayerNorm), fc1W, fc1B);
        SDVariable g = f.mul(sd.math.erf(f.mul(1.0 / Math.sqrt(2.0))).add(1.0)).mul(0.5);
        SDVariable out = x1.add("out", linear(sd, g, fc2W, fc2B));
        out.mul(r).sum("loss").markAsLoss();
        return sd;
    }

    /** y = x W^T + b with W [out, in] as the project stores it. */
    private static SDVariable linear(SameDiff sd, SDVariable x, SDVariable w, SDVariable b) {
        return sd.mmul(x, w, false, true, false).add(b);
    }

    private static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, boolean fused) {
        if (fused) {
            return sd.nn.layerNorm(x, gamma, beta, false, 1);
        }
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable invStd = sd.math.rsqrt(sd.math.square(centred).mean(true, 1).add(LN_EPS));
        return centred.mul(invStd).mul(gamma).add(beta);
    }

    private static String[] gradientTargets() {
        String[] t = Arrays.copyOf(PARAMS, PARAMS.length + 1);
        t[PARAMS.length] = "x";
        return t;
    }

    // ------------------------------------------------------------------------------------------------------
    // Engines under test
    // ------------------------------------------------------------------------------------------------------

    /** The project's block with weights from its own init, lightly perturbed so norms and biases are not trivial. */
    static final class HandWritten {
        final ParameterSet params;
        final TransformerBlock block;
        final int batch;

        HandWritten(VitConfig c, DataType dt, int batch) {
            this.params = new ParameterSet(dt);
            this.block = new TransformerBlock(params, P, c);
            params.allocate();
            block.init(new Random(0));
            Random random = new Random(1);
            for (String name : PARAMS) {
                INDArray v = params.get(name).value();
                boolean weight = name.endsWith(".weight") && v.rank() == 2;
                if (weight) {
                    v.muli(4.0);   // sharper attention than trunc-normal(0.02) gives, for a harder check
                } else {
                    v.addi(gaussian(random, dt, 0.1, v.shape()));
                }
            }
            this.batch = batch;
        }

        INDArray[] step(INDArray x, INDArray r) {
            INDArray out = block.forward(x, batch);
            INDArray dx = block.backward(r);
            return new INDArray[] {out, dx};
        }
    }

    /** A SameDiff block whose variables hold a copy of the hand-written block's weights. */
    static final class SameDiffBlock {
        final SameDiff sd;
        final String[] targets = gradientTargets();

        SameDiffBlock(VitConfig c, DataType dt, boolean fusedLayerNorm, ParameterSet weights) {
            this(c, dt, fusedLayerNorm, weights, true);
        }

        /**
         * @param declareInputGradient pass "x" to createGradFunction. Without it SameDiff still returns a gradient
         *                             for the placeholder x, silently wrong (only part of the paths into x) -
         *                             kept switchable to show that pitfall in the agreement check
         */
        SameDiffBlock(VitConfig c, DataType dt, boolean fusedLayerNorm, ParameterSet weights, boolean declareInputGradient) {
            this.sd = buildBlock(c, dt, fusedLayerNorm);
            for (String name : PARAMS) {
                sd.getVariable(name).setArray(weights.get(name).value().dup());
            }
            if (declareInputGradient) {
                sd.createGradFunction("x");   // once, outside the timing; placeholders needing gradients by name
            } else {
                sd.createGradFunction();
            }
        }

        Map<String, INDArray> gradients(INDArray x, INDArray r) {
            return sd.calculateGradients(Map.of("x", x, "r", r), targets);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Numerical agreement
    // ------------------------------------------------------------------------------------------------------

    private static void checkAgreement(VitConfig c, DataType dt, int batch) {
        HandWritten hw = new HandWritten(c, dt, batch);
        Random random = new Random(2);
        long rows = (long) batch * c.numTokens();
        INDArray x = gaussian(random, dt, 1.0, rows, c.dim());
        INDArray r = gaussian(random, dt, 1.0, rows, c.dim());
        INDArray[] ref = hw.step(x, r);
        for (int variant = 0; variant < 3; variant++) {
            boolean fused = variant == 1;
            SameDiffBlock sdb = new SameDiffBlock(c, dt, fused, hw.params, variant < 2);
            var og = sdb.sd.calculateGradientsAndOutputs(Map.of("x", x, "r", r), List.of("out"),
                    List.of(sdb.targets));
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "agreement %-6s B=%-3d %-17s out %s | dx %s", dt, batch,
                    variant == 0 ? "LN eps 1e-6:" : variant == 1 ? "fused layer_norm:" : "no grad fn for x:", rel(ref[0], og.getOutputs().get("out")),
                    rel(ref[1], og.getGradients().get("x"))));
            double worst = 0;
            String worstName = "";
            for (String name : PARAMS) {
                double e = relErr(hw.params.get(name).grad(), og.getGradients().get(name));
                if (e > worst) {
                    worst = e;
                    worstName = name.substring(P.length() + 1);
                }
            }
            sb.append(String.format(Locale.ROOT, " | worst param grad rel err %.2e (%s)", worst, worstName));
            System.out.println(sb);
        }
    }

    private static String rel(INDArray a, INDArray b) {
        return String.format(Locale.ROOT, "max|diff| %.2e rel %.2e", a.sub(b).amaxNumber().doubleValue(), relErr(a, b));
    }

    /** max |a - b| / max |a|. */
    private static double relErr(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException("shape " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
        return a.sub(b).amaxNumber().doubleValue() / a.amaxNumber().doubleValue();
    }

    // ------------------------------------------------------------------------------------------------------
    // Timing
    // ------------------------------------------------------------------------------------------------------

    private static void timeEngines(VitConfig c, int batch, int warmup, int timed) {
        HandWritten hw = new HandWritten(c, DataType.FLOAT, batch);
        SameDiffBlock sdManual = new SameDiffBlock(c, DataType.FLOAT, false, hw.params);
        SameDiffBlock sdFused = new SameDiffBlock(c, DataType.FLOAT, true, hw.params);
        Random random = new Random(3);
        long rows = (long) batch * c.numTokens();
        INDArray x = gaussian(random, DataType.FLOAT, 1.0, rows, c.dim());
        INDArray r = gaussian(random, DataType.FLOAT, 1.0, rows, c.dim());
        Map<String, Runnable> engines = new LinkedHashMap<>();
        engines.put("hand-written", () -> hw.step(x, r));
        engines.put("samediff (LN eps 1e-6)", () -> sdManual.gradients(x, r));
        engines.put("samediff (fused layer_norm)", () -> sdFused.gradients(x, r));
        report("B=" + batch, interleaved(engines, warmup, timed));
    }

    /** The SameDiff entry points for "forward + backward" in M2.1, interleaved against each other. */
    private static void compareSameDiffApis(VitConfig c, int batch, int warmup, int timed) {
        HandWritten hw = new HandWritten(c, DataType.FLOAT, batch);
        SameDiffBlock sdb = new SameDiffBlock(c, DataType.FLOAT, false, hw.params);
        Random random = new Random(3);
        long rows = (long) batch * c.numTokens();
        INDArray x = gaussian(random, DataType.FLOAT, 1.0, rows, c.dim());
        INDArray r = gaussian(random, DataType.FLOAT, 1.0, rows, c.dim());
        Map<String, INDArray> ph = Map.of("x", x, "r", r);
        List<String> targets = List.of(sdb.targets);
        String[] gradNames = Arrays.stream(sdb.targets).map(n -> sdb.sd.getVariable(n).getGradient().name())
                .toArray(String[]::new);
        SameDiff gradFn = sdb.sd.getFunction("grad");
        Map<String, Runnable> engines = new LinkedHashMap<>();
        engines.put("calculateGradients", () -> sdb.sd.calculateGradients(ph, targets));
        engines.put("calculateGradientsAndOutputs", () -> sdb.sd.calculateGradientsAndOutputs(ph, List.of("out"), targets));
        engines.put("getFunction(\"grad\").output", () -> gradFn.output(ph, gradNames));
        engines.put("output(out) only [forward]", () -> sdb.sd.output(ph, "out"));
        engines.put("hand-written forward only", () -> hw.block.forward(x, batch));
        report("B=" + batch + " API", interleaved(engines, warmup, timed));
    }

    /**
     * Rotating order each iteration: (A,B,C), (B,C,A), (C,A,B) ... Returns per engine three sorted series in ms:
     * wall time, process CPU time (all threads: the one of ND4J's pool and BLAS's included) and CPU time of the
     * calling thread. On a loaded machine CPU time is far less noisy than wall time; with OMP_NUM_THREADS=1 and
     * single-threaded BLAS all the work is on the calling thread.
     */
    private static Map<String, double[][]> interleaved(Map<String, Runnable> engines, int warmup, int timed) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>(engines.keySet());
        Map<String, double[][]> ms = new LinkedHashMap<>();
        names.forEach(n -> ms.put(n, new double[3][timed]));
        for (int i = 0; i < warmup + timed; i++) {
            for (int k = 0; k < names.size(); k++) {
                String n = names.get((i + k) % names.size());
                long c0 = os.getProcessCpuTime();
                long th0 = threadBean.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                engines.get(n).run();
                long t1 = System.nanoTime();
                long th1 = threadBean.getCurrentThreadCpuTime();
                long c1 = os.getProcessCpuTime();
                if (i >= warmup) {
                    double[][] m = ms.get(n);
                    m[0][i - warmup] = (t1 - t0) / 1e6;
                    m[1][i - warmup] = (c1 - c0) / 1e6;
                    m[2][i - warmup] = (th1 - th0) / 1e6;
                }
            }
        }
        ms.values().forEach(m -> Arrays.stream(m).forEach(Arrays::sort));
        return ms;
    }

    private static void report(String label, Map<String, double[][]> ms) {
        double[][] first = ms.values().iterator().next();
        for (var e : ms.entrySet()) {
            double[][] m = e.getValue();
            double[] v = m[0];
            System.out.printf(Locale.ROOT, "%-10s %-30s wall median %8.2f ms (p25 %8.2f p75 %8.2f min %8.2f) x%.2f"
                            + " | process cpu median %8.2f x%.2f | thread cpu median %8.2f x%.2f%n",
                    label, e.getKey(), median(v), v[v.length / 4], v[(3 * v.length) / 4], v[0],
                    median(v) / median(first[0]), median(m[1]), median(m[1]) / median(first[1]), median(m[2]),
                    median(m[2]) / median(first[2]));
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ------------------------------------------------------------------------------------------------------
    // LSQ quantizer with custom straight-through gradients in SameDiff
    // ------------------------------------------------------------------------------------------------------

    /**
     * LSQ: forward x_q = s * round(clamp(x / s, Qn, Qp)); backward dL/dx = g where Qn <= x/s <= Qp else 0,
     * dL/ds = sum g * (round(v) - v) inside, Qn or Qp outside (v = x / s). Three SameDiff formulations are checked
     * against that rule, computed with plain loops.
     */
    static final class LsqExperiment {
        static final int QN = -8;
        static final int QP = 7;   // signed 4 bit

        static void run() {
            int n = 4096;
            double step = 0.125;   // power of two, so x = s * Qn and x = s * Qp are exact boundary cases
            Random random = new Random(5);
            double[] xs = new double[n];
            double[] gs = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = random.nextGaussian() * 0.6;
                gs[i] = random.nextGaussian();
            }
            xs[0] = step * QN;        // exactly on the lower boundary
            xs[1] = step * QP;        // exactly on the upper boundary
            xs[2] = step * 3;         // exactly on a grid point
            xs[3] = step * 2.5;       // exactly on a rounding tie
            xs[4] = step * 20;        // far outside
            xs[5] = -step * 2.5;      // negative rounding tie
            INDArray x = Nd4j.createFromArray(xs).castTo(DataType.FLOAT);
            INDArray g = Nd4j.createFromArray(gs).castTo(DataType.FLOAT);

            // reference, plain loops in double
            double[] refQ = new double[n];
            double[] refDx = new double[n];
            double refDs = 0;
            float s32 = (float) step;
            for (int i = 0; i < n; i++) {
                double v = (float) xs[i] / s32;
                double vc = Math.max(QN, Math.min(QP, v));
                double q = Math.signum(vc) * Math.floor(Math.abs(vc) + 0.5);   // ND4J's round: ties away from 0
                refQ[i] = s32 * q;
                boolean inside = v >= QN && v <= QP;
                refDx[i] = inside ? (float) gs[i] : 0;
                refDs += (float) gs[i] * (inside ? q - v : vc);
            }
            System.out.printf(Locale.ROOT, "LSQ reference: %d inside of %d, dL/ds = %.6f%n",
                    (int) Arrays.stream(refDx).filter(d -> d != 0).count(), n, refDs);

            System.out.printf(Locale.ROOT, "ND4J round(2.5) = %s, round(-2.5) = %s (torch.round: 2, -2, ties to even)%n",
                    Nd4j.math.round(Nd4j.createFromArray(2.5f)).getDouble(0),
                    Nd4j.math.round(Nd4j.createFromArray(-2.5f)).getDouble(0));
            for (String variant : List.of("naive", "clipByValue+stopGradient", "stopGradient, x.div(s)",
                    "stopGradient (inclusive mask)", "subclassed ops (custom doDiff)")) {
                SameDiff sd = SameDiff.create();
                SDVariable xv = sd.var("x", x.dup());
                SDVariable sv = sd.var("s", Nd4j.scalar(DataType.FLOAT, step));
                SDVariable gv = sd.constant("g", g);
                SDVariable xq = switch (variant) {
                    case "naive" -> naive(sd, xv, sv);
                    case "clipByValue+stopGradient" -> clipThenSte(sd, xv, sv);
                    case "stopGradient, x.div(s)" -> stopGradientLsq(sd, xv.div(sv), sv);
                    case "stopGradient (inclusive mask)" -> stopGradientLsq(sd, scaled(sd, xv, sv), sv);
                    default -> subclassedLsq(sd, xv, sv);
                };
                sd.identity("xq", xq);
                xq.mul(gv).sum("loss").markAsLoss();
                var og = sd.calculateGradientsAndOutputs(Map.of(), List.of("xq"), List.of("x", "s"));
                INDArray q = og.getOutputs().get("xq");
                INDArray dx = og.getGradients().get("x");
                double ds = og.getGradients().get("s").getDouble(0);
                double qErr = maxDiff(q, refQ);
                double dxErr = maxDiff(dx, refDx);
                System.out.printf(Locale.ROOT,
                        "LSQ %-32s forward max|diff| %.1e | dx max|diff| %.1e (boundary dx: %s, %s vs ref %s, %s) "
                                + "| ds %.6f (ref %.6f)%n",
                        variant, qErr, dxErr, dx.getDouble(0), dx.getDouble(1), refDx[0], refDx[1], ds, refDs);
            }
            gradScaleCheck(x, g, step, n);
            divideGradientCheck();
        }

        /** Minimal reproduction of the scalar-divisor gradient error of x.div(s). */
        static void divideGradientCheck() {
            INDArray x = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}});
            INDArray g = Nd4j.createFromArray(new float[][] {{1, -1, 2}, {0.5f, 1, -3}});
            double expected = -x.mul(g).sumNumber().doubleValue() / (0.5 * 0.5);
            StringBuilder sb = new StringBuilder("d/ds sum(g * x / s), s = 0.5 scalar: expected " + expected);
            for (boolean div : new boolean[] {true, false}) {
                SameDiff sd = SameDiff.create();
                SDVariable xv = sd.var("x", x);
                SDVariable sv = sd.var("s", Nd4j.scalar(DataType.FLOAT, 0.5));
                (div ? xv.div(sv) : scaled(sd, xv, sv)).mul(sd.constant(g)).sum("loss").markAsLoss();
                sb.append(div ? ", x.div(s) gives " : ", x.mul(s.rdiv(1)) gives ")
                        .append(sd.calculateGradients(Map.of(), "s").get("s").getDouble(0));
            }
            System.out.println(sb);
        }

        /** Plain composition: Round's gradient is zero in ND4J, so dL/dx = 0 and dL/ds = sum g * round(clip(v)). */
        static SDVariable naive(SameDiff sd, SDVariable x, SDVariable s) {
            return sd.math.round(sd.clipByValue(scaled(sd, x, s), QN, QP)).mul(s);
        }

        /** ClipByValue's own gradient as the mask (strict: 0 at v == Qn and v == Qp), STE for round only. */
        static SDVariable clipThenSte(SameDiff sd, SDVariable x, SDVariable s) {
            SDVariable vc = sd.clipByValue(scaled(sd, x, s), QN, QP);
            return vc.add(stopGradient(sd, sd.math.round(vc).sub(vc))).mul(s);
        }

        /**
         * v = x / s as computed by the caller. Only the stop-gradient trick: vc has the value clamp(v) and the gradient mask * dv (inclusive mask), q the
         * value round(vc) and the gradient of vc. Then d(s q)/dx = mask and d(s q)/ds = q - mask * v, i.e.
         * round(v) - v inside and Qn or Qp outside: exactly LSQ.
         */
        static SDVariable stopGradientLsq(SameDiff sd, SDVariable v, SDVariable s) {
            SDVariable mask = stopGradient(sd, sd.gte(v, QN).castTo(v.dataType()).mul(sd.lte(v, QP).castTo(v.dataType())));
            SDVariable vm = v.mul(mask);
            SDVariable vc = vm.add(stopGradient(sd, sd.clipByValue(v, QN, QP).sub(vm)));
            SDVariable q = vc.add(stopGradient(sd, sd.math.round(vc).sub(vc)));
            return q.mul(s);
        }

        /** Same gradients by overriding doDiff of native ops: inclusive clip mask, identity through round. */
        static SDVariable subclassedLsq(SameDiff sd, SDVariable x, SDVariable s) {
            SDVariable vc = new InclusiveClip(sd, scaled(sd, x, s), QN, QP).outputVariable();
            return new SteRound(sd, vc).outputVariable().mul(s);
        }

        /** LSQ's gradient scale: s' has the value of s and the gradient g * ds', via s' = s g + stopGradient(s - s g). */
        static void gradScaleCheck(INDArray x, INDArray g, double step, int n) {
            double scale = 1.0 / Math.sqrt(n * QP);
            double[] ds = new double[2];
            for (int k = 0; k < 2; k++) {
                SameDiff sd = SameDiff.create();
                SDVariable xv = sd.var("x", x.dup());
                SDVariable sv = sd.var("s", Nd4j.scalar(DataType.FLOAT, step));
                SDVariable sEff = k == 0 ? sv : sv.mul(scale).add(stopGradient(sd, sv.sub(sv.mul(scale))));
                stopGradientLsq(sd, scaled(sd, xv, sEff), sEff).mul(sd.constant(g)).sum("loss").markAsLoss();
                ds[k] = sd.calculateGradients(Map.of(), "s").get("s").getDouble(0);
            }
            System.out.printf(Locale.ROOT, "LSQ grad scale g=1/sqrt(N Qp)=%.5f: ds scaled/unscaled = %.5f%n",
                    scale, ds[1] / ds[0]);
        }

        /**
         * v = x / s written as x * (1 / s): in M2.1 the gradient of x.div(s) w.r.t. a scalar (rank 0 or [1]) s is
         * wrong (libnd4j divide_bp gives -sum(x) sum(g) / s^2 instead of -sum(x g) / s^2); per-channel s is fine.
         */
        static SDVariable scaled(SameDiff sd, SDVariable x, SDVariable s) {
            return x.mul(s.rdiv(1.0));
        }

        static SDVariable stopGradient(SameDiff sd, SDVariable v) {
            return new StopGradient(sd, v).outputVariable();
        }

        private static double maxDiff(INDArray a, double[] ref) {
            double m = 0;
            for (int i = 0; i < ref.length; i++) {
                m = Math.max(m, Math.abs(a.getDouble(i) - ref[i]));
            }
            return m;
        }
    }

    /** clip_by_value whose gradient passes where clipMin <= x <= clipMax (ND4J's own uses strict inequalities). */
    static final class InclusiveClip extends ClipByValue {
        private final double lo;
        private final double hi;

        InclusiveClip(SameDiff sd, SDVariable x, double lo, double hi) {
            super(sd, x, lo, hi);
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grad) {
            SDVariable x = arg();
            SDVariable mask = sameDiff.gte(x, lo).castTo(x.dataType()).mul(sameDiff.lte(x, hi).castTo(x.dataType()));
            return List.of(grad.get(0).mul(mask));
        }
    }

    /** round with a straight-through (identity) gradient; ND4J's Round has a zero gradient. */
    static final class SteRound extends Round {
        SteRound(SameDiff sd, SDVariable x) {
            super(sd, x);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grad) {
            return List.of(grad.get(0));
        }
    }

    // ------------------------------------------------------------------------------------------------------

    private static INDArray gaussian(Random random, DataType dt, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian() * std;
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape(shape);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            m.put(key, flag ? "true" : args[++i]);
        }
        return m;
    }
}
