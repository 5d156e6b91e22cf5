package dev.qvit.model.quant;

import dev.qvit.model.vit.QuantizedStudent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvit.model.ParityVectors;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.Npy;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fully quantized student (8-bit patch embedding and head, b-bit blocks, IRM) against the PyTorch reference
 * (reference/vit_reference.py quantized_vit; vectors from reference/make_quant_vectors.py in parity/qblock4,
 * qblock2, qblock2dist, FP weights and the 4 images from parity/fp). The quantizer states (sign, gradient scale)
 * are restored from quant.json and the per-channel steps / zero points loaded as parameters; one training-mode
 * forward, mean cross-entropy and backward must give the reference logits, loss and every gradient (weights,
 * biases, LayerNorms, cls / pos, steps, zero points, IRM) within 1e-4 of each tensor's scale in float32 and
 * 1e-9 in float64. The LSQ initialisation on the first training batch, the code histograms and, for the
 * distribution form of IRM, the running statistics, the eval-mode logits and the identity initialisation from
 * the teacher are checked as well.
 */
class QuantizedModelParityTest {
    private static final ParityVectors FP = new ParityVectors("fp");
    private static final Map<String, Agreement> SUMMARY = new TreeMap<>();

    /**
     * The image quantizer's step and zero point: tiny gradients (1e-7) that only reach it if PatchEmbedding back-
     * propagates through the unfold (a bug this parity test found); checked tightly on their own below.
     */
    private static final Set<String> IMAGE_QUANTIZER_GRADIENTS =
            Set.of("patch_embed.input_quant.step", "patch_embed.input_quant.zero_point");

    /** Float32 codes allowed to round the other way than in PyTorch (values within ~1e-7 of a boundary). */
    private static final int MAX_MOVED_CODES = 16;

    static List<Arguments> setsAndTypes() {
        List<Arguments> out = new ArrayList<>();
        for (String set : new String[] {"qblock4", "qblock2", "qblock2dist"}) {
            out.add(Arguments.of(set, DataType.FLOAT));
            out.add(Arguments.of(set, DataType.DOUBLE));
        }
        return out;
    }

    @AfterAll
    static void printSummary() {
        SUMMARY.values().forEach(Agreement::print);
    }

    private static Agreement summary(String set, DataType type, String what) {
        return SUMMARY.computeIfAbsent(set + " " + type + " " + what, Agreement::new);
    }

    /**
     * One training step. Float32 rounding differs between ND4J and PyTorch by about 1e-7, and a few values sit
     * closer than 1e-5 to a rounding boundary of their quantizer (the committed sets: the closest at 1.3e-6
     * relative; no code differs today), so on another CPU or BLAS a code could round the other way. One such
     * code moves others downstream (a 2-bit key code moved by hand moves 10: the key, attention codes of its
     * row, proj inputs) and changes some gradients by about 1e-2, beyond any useful float32 tolerance. If codes
     * moved against the reference histograms (at most {@link #MAX_MOVED_CODES}), the float32 check therefore
     * keeps only logits and loss (1e-2) and says so; the float64 run, whose codes cannot move, always checks
     * everything at 1e-9.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setsAndTypes")
    void trainingStepMatchesPyTorch(String set, DataType type) throws Exception {
        Fixture f = new Fixture(set, type);
        f.restoreStates();
        boolean f64 = type == DataType.DOUBLE;
        String suffix = f64 ? "_f64" : "";
        String gradPrefix = f64 ? "grad_f64." : "grad.";
        Agreement a = summary(set, type, "training step");

        CrossEntropy ce = new CrossEntropy(new Buffers(type));
        INDArray logits = f.model.forward(f.input, true);
        double loss = ce.forward(logits, ce.oneHot(f.labels, 10));
        f.model.backward(ce.backward());

        int movedCodes = 0;
        for (LsqQuantizer q : f.model.quantizers()) {
            movedCodes += moved(histogram(q.lastCodes()), expectedHistogram(f.state(q.name()).path("codeHistogram")));
        }
        assertThat(movedCodes).as("codes moved against the reference").isLessThanOrEqualTo(f64 ? 0 : MAX_MOVED_CODES);
        if (movedCodes > 0) {
            System.out.printf("[parity] %s %s: %d codes rounded the other way than in PyTorch (float32 values "
                    + "within ~1e-7 of a rounding boundary): only logits and loss checked, at 1e-2%n", set, type, movedCodes);
            a.check("logits (codes moved)", "logits", logits, f.set.array("logits"), 1e-2);
            a.check("loss (codes moved)", "loss", new double[] {loss}, f.set.array("loss").values(), 1e-2);
            return;
        }
        double tol = f64 ? 1e-9 : 1e-4;
        a.check("logits", "logits", logits, f.set.array("logits" + suffix), tol);
        a.check("loss", "loss", new double[] {loss}, f.set.array("loss" + suffix).values(), tol);
        for (Parameter p : f.model.parameters().parameters()) {
            byte[] expected = f.set.bytes(gradPrefix + p.name());
            if (expected == null) {
                // IRM running statistics: buffers in PyTorch, gradient-free parameters in Java
                assertThat(p.name()).matches(".*\\.running_(mean|var)");
                assertThat(Agreement.values(p.grad())).containsOnly(0.0);
                continue;
            }
            Npy.Array reference = Npy.read(expected, p.name());
            if (p.name().endsWith(".norm_k.bias")) {
                checkKeyShift(a, f, gradPrefix, p, reference, tol);
            } else {
                a.check(group(p.name()), p.name(), p.grad(), reference, tol);
            }
        }
        if (set.equals("qblock2dist")) {
            // running statistics after the step (PyTorch updates them in the forward), then an eval-mode forward
            f.model.updateRunningStatistics();
            for (Parameter p : f.model.parameters().parameters()) {
                if (p.name().contains(".running_")) {
                    // stored as float32 by the reference, hence the same tolerance for both types
                    a.check("IRM running stats", p.name(), p.value(), f.set.array("expect." + p.name()), 1e-6);
                }
            }
            a.check("logits (eval)", "logits_eval", f.model.forward(f.input, false), f.set.array("logits_eval"),
                    f64 ? 1e-6 : 1e-4);
        }
    }

    /**
     * Integer codes round(clamp(v)) of every quantizer against the histograms of the reference's float32 forward
     * (its float64 forward has the same codes): float64 exactly, float32 up to {@link #MAX_MOVED_CODES} codes in
     * all (see {@link #trainingStepMatchesPyTorch}; the committed sets match exactly).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setsAndTypes")
    void codeHistogramsMatchPyTorch(String set, DataType type) throws Exception {
        Fixture f = new Fixture(set, type);
        f.restoreStates();
        f.model.forward(f.input, true);
        Agreement a = summary(set, type, "codes");
        int total = 0;
        for (LsqQuantizer q : f.model.quantizers()) {
            JsonNode state = f.state(q.name());
            assertThat(state.path("codeFlipsF32VsF64").asInt()).isZero();
            Map<Integer, Integer> expected = expectedHistogram(state.path("codeHistogram"));
            Map<Integer, Integer> actual = histogram(q.lastCodes());
            int moved = moved(actual, expected);
            a.record("codes moved (count)", moved);
            total += moved;
            if (type == DataType.DOUBLE) {
                assertThat(actual).as("%s %s code histogram", set, q.name()).isEqualTo(expected);
            }
        }
        assertThat(total).as("%s %s codes moved", set, type).isLessThanOrEqualTo(MAX_MOVED_CODES);
    }

    /**
     * LSQ initialisation on the first training batch (method doc 2.4): every channel gets s = 2 mean|x|/sqrt(Qp),
     * z = 0.1 (min x - s Qn), the sign from min x and g = 1/sqrt(numel Qp); compared with the reference's own
     * initialisation (float32 run for FLOAT, float64 run for DOUBLE). In float32, ND4J's mean|x| of a float
     * tensor is accurate to about 1e-5 only (the 20,000 softmax values, mean exactly 1/50, come out 1.1e-5 off;
     * PyTorch's to 5e-8), so the steps differ in the fifth digit; a downstream code can then round the other way,
     * which moves later means by about 1/numel. Each float32 step and zero point must agree to 1e-4 as long as no
     * earlier quantizer's code histogram differs from the reference's, else to 1e-3; float64 to 1e-9, no code
     * may move.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setsAndTypes")
    void quantizersInitialiseLikePyTorch(String set, DataType type) throws Exception {
        Fixture f = new Fixture(set, type);
        f.model.forward(f.input, true);                       // initialises every quantizer
        boolean f64 = type == DataType.DOUBLE;
        Agreement a = summary(set, type, "initialisation");
        int movedBefore = 0;
        for (LsqQuantizer q : f.model.quantizers()) {
            JsonNode state = f.state(q.name());
            JsonNode init = state.path(f64 ? "init_f64" : "init");
            double tol = f64 ? 1e-9 : movedBefore == 0 ? 1e-4 : 1e-3;
            String suffix = movedBefore == 0 ? "" : " (after moved codes)";
            assertThat(q.initialized()).isTrue();
            assertThat(q.range().signed()).as(q.name() + " signed").isEqualTo(state.path("signed").asBoolean());
            a.check("gradient scale g", q.name() + " g", new double[] {q.gradScale()},
                    new double[] {state.path("gradScale").asDouble()}, 1e-12);
            a.check("initial step" + suffix, q.name() + " step", Agreement.values(q.step().value()),
                    constant(init.path("step").asDouble(), q.step().length()), tol);
            if (q.zeroPoint() != null) {
                // z = 0.1 (min x - s Qn) cancels when min x ~ s Qn: the error is measured against 0.1 |s Qn| + |z|
                double z = init.path("zeroPoint").asDouble();
                double scale = 0.1 * Math.abs(init.path("step").asDouble() * q.range().qn()) + Math.abs(z);
                double worst = 0;
                for (double v : Agreement.values(q.zeroPoint().value())) {
                    worst = Math.max(worst, Math.abs(v - z) / scale);
                }
                a.record("initial zero point" + suffix, worst);
                assertThat(worst).as("%s initial zero point", q.name()).isLessThanOrEqualTo(tol);
            }
            int moved = moved(histogram(q.lastCodes()), expectedHistogram(init.path("codeHistogram")));
            a.record("init codes moved (count)", moved);
            movedBefore += moved;
        }
        if (f64) {
            assertThat(movedBefore).as("codes moved in the float64 initialising forward").isZero();
        }
    }

    /** Distribution IRM built from the teacher (QuantizedStudent.fromTeacher) starts where the reference does. */
    @Test
    void distributionIrmIdentityInitialisationMatchesPyTorch() throws Exception {
        Fixture f = new Fixture("qblock2dist", DataType.FLOAT);
        VisionTransformer teacher = new VisionTransformer(f.config, DataType.FLOAT);
        FP.loadParameters(teacher.parameters(), "");
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, f.quantization, f.input);
        Agreement a = summary("qblock2dist", DataType.FLOAT, "IRM identity init");
        JsonNode init = f.json.path("irmInit");
        assertThat(init.size()).isEqualTo(8 * f.config.depth());
        init.fields().forEachRemaining(e -> {
            double[] expected = new double[e.getValue().size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = e.getValue().get(i).asDouble();
            }
            a.check("IRM init", e.getKey(), Agreement.values(student.parameters().get(e.getKey()).value()), expected, 1e-5);
        });
    }

    /** The image quantizer's step and zero point get the reference's gradients (about 1e-7..3e-7 here). */
    @ParameterizedTest
    @ValueSource(strings = {"qblock4", "qblock2", "qblock2dist"})
    void imageQuantizerReceivesItsStepGradient(String set) throws Exception {
        Fixture f = new Fixture(set, DataType.DOUBLE);
        f.restoreStates();
        CrossEntropy ce = new CrossEntropy(new Buffers(DataType.DOUBLE));
        double loss = ce.forward(f.model.forward(f.input, true), ce.oneHot(f.labels, 10));
        assertThat(loss).isFinite();
        f.model.backward(ce.backward());
        Agreement a = new Agreement(set + " image quantizer");
        for (String name : IMAGE_QUANTIZER_GRADIENTS) {
            a.check("image quantizer", name, f.model.parameters().get(name).grad(), f.set.array("grad_f64." + name), 1e-9);
        }
    }

    /**
     * The IRM shift of the keys, beta_k, moves every key of a head by the same vector, which changes each query's
     * scores by a constant and leaves the softmax unchanged: its gradient is zero except through key codes that
     * the k quantizer clamps (blocks.1 of qblock4 has none: the reference's value is 1e-19 in float64, 1e-11 in
     * float32, pure rounding of a sum that cancels). Its error is therefore measured against the scale of the
     * gamma gradient of the same IRM (and against its own scale when that is larger).
     */
    private static void checkKeyShift(Agreement a, Fixture f, String gradPrefix, Parameter p, Npy.Array reference,
                                      double tol) throws IOException {
        double[] gamma = f.set.array(gradPrefix + p.name().replace(".bias", ".weight")).values();
        double scale = 0;
        for (double v : gamma) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (double v : reference.values()) {
            scale = Math.max(scale, Math.abs(v));
        }
        double[] actual = Agreement.values(p.grad());
        double[] expected = reference.values();
        double diff = 0;
        for (int i = 0; i < actual.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        a.record("grad IRM beta_k (vs gamma_k scale)", diff / scale);
        assertThat(diff / scale).as("%s relative to the gamma_k gradient scale", p.name()).isLessThanOrEqualTo(tol);
    }

    private static String group(String name) {
        if (name.endsWith(".step")) {
            return "grad step";
        }
        if (name.endsWith(".zero_point")) {
            return "grad zero point";
        }
        if (name.contains(".norm_q.") || name.contains(".norm_k.")) {
            return "grad IRM";
        }
        if (name.endsWith(".weight") && !name.contains("norm")) {
            return "grad weights";
        }
        return "grad other (b, LN, cls, pos)";
    }

    private static double[] constant(double value, long n) {
        double[] out = new double[(int) n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static Map<Integer, Integer> expectedHistogram(JsonNode histogram) {
        Map<Integer, Integer> out = new TreeMap<>();
        histogram.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asInt()));
        return out;
    }

    /** Number of codes that changed bin (each move changes two counts by one; at least 1 when they differ). */
    private static int moved(Map<Integer, Integer> actual, Map<Integer, Integer> expected) {
        int diff = 0;
        for (int code = -128; code <= 255; code++) {
            diff += Math.abs(actual.getOrDefault(code, 0) - expected.getOrDefault(code, 0));
        }
        return (diff + 1) / 2;
    }

    private static Map<Integer, Integer> histogram(INDArray codes) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (double c : Agreement.values(codes)) {
            out.merge((int) Math.rint(c), 1, Integer::sum);
        }
        return out;
    }

    /** One parity set: config, model with all parameters loaded (set first, then parity/fp), input, labels. */
    private static final class Fixture {
        final ParityVectors set;
        final JsonNode json;
        final VitConfig config;
        final QuantizationConfig quantization;
        final VisionTransformer model;
        final INDArray input;
        final int[] labels;
        private final Map<String, JsonNode> states = new HashMap<>();

        Fixture(String name, DataType type) throws IOException {
            set = new ParityVectors(name);
            json = Agreement.json("/parity/" + name + "/quant.json");
            JsonNode c = json.path("config");
            config = new VitConfig(c.path("imageSize").asInt(), c.path("patchSize").asInt(), c.path("channels").asInt(),
                    c.path("dim").asInt(), c.path("depth").asInt(), c.path("numHeads").asInt(), c.path("mlpDim").asInt(),
                    c.path("numClasses").asInt());
            quantization = new QuantizationConfig(json.path("bits").asInt(),
                    QuantizationConfig.Rectification.parse(json.path("rectification").asText()),
                    json.path("embeddingBits").asInt());
            model = new VisionTransformer(config, type, quantization);
            Checkpoint.loadParameters(model.parameters(), p -> {
                byte[] own = set.bytes(p);
                return own != null ? own : FP.bytes(p);
            }, "parity/" + name);
            input = FP.tensor("input", type);
            labels = FP.ints("labels");
            for (JsonNode s : json.path("quantizers")) {
                states.put(s.path("name").asText(), s);
            }
            List<String> javaOrder = model.quantizers().stream().map(LsqQuantizer::name).toList();
            List<String> referenceOrder = new ArrayList<>();
            json.path("quantizers").forEach(s -> referenceOrder.add(s.path("name").asText()));
            assertThat(javaOrder).as("quantizers in forward order").isEqualTo(referenceOrder);
        }

        JsonNode state(String quantizer) {
            return states.get(quantizer);
        }

        /** Sign and gradient scale from quant.json (steps and zero points were loaded as parameters). */
        void restoreStates() {
            for (LsqQuantizer q : model.quantizers()) {
                JsonNode s = state(q.name());
                q.restore(s.path("signed").asBoolean(), s.path("gradScale").asDouble());
            }
        }
    }
}
