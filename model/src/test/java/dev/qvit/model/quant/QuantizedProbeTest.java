package dev.qvit.model.quant;

import dev.qvit.model.vit.QuantizedStudent;
import static dev.qvit.model.GradientCheck.fillGaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.quant.NaiveQuantization.Lsq;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.QuantizerSnapshot;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.CodeUsage;
import dev.qvit.records.GaussianFit;
import dev.qvit.model.probe.QueryKeyAnalysis;
import dev.qvit.model.vit.AttentionTrace;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A quantized student's probes and quantizer snapshots against {@link NaiveQuantization}, element by element over
 * all B·H·N rows: IRM worked out from the raw queries and keys and the IRM parameters, LSQ codes, values, code
 * counts, clipped shares and entropies worked out from the quantizer's input and its per-head step and zero point.
 * A float64 student, so that the probes' float32 copies are the only rounding; the per-head steps and zero points
 * are set apart by hand (one head's zero point rounds to -1) so that a head read with another's step shows.
 */
class QuantizedProbeTest {
    private static final VitConfig SMALL = new VitConfig(28, 4, 1, 32, 2, 2, 64, 10);
    private static final int IMAGES = 8;
    private static final int HEADS = SMALL.numHeads();
    private static final int TOKENS = SMALL.numTokens();
    private static final int D = SMALL.headDim();
    /** Float32 copies of float64 values: half an ulp, 2^-24 relative, plus the engine's own double rounding. */
    private static final double FLOAT_COPY = 1e-7;

    private final INDArray images = QuantizedStudentTest.batch(IMAGES).castTo(DataType.DOUBLE);

    @ParameterizedTest(name = "{0} IRM, training {1}")
    @CsvSource({"NONE, true", "TOKEN, true", "DISTRIBUTION, true", "DISTRIBUTION, false"})
    void everyRowOfTheProbeIsTheNaiveIrmAndLsqOfTheRawValues(Rectification form, boolean training) {
        // given a 2-bit student with IRM parameters and per-head quantizers away from their defaults
        VisionTransformer student = student(2, form);
        // when it runs on the batch and is probed
        VisionTransformer.Traced traced = student.trace(images, training);
        List<LayerProbe> probes = student.probes(traced, IMAGES);
        // then every stage of every query and key row follows from the raw values by the method's formulas
        for (int l = 0; l < SMALL.depth(); l++) {
            AttentionTrace attention = traced.attention().get(l);
            LayerProbe p = probes.get(l);
            String block = "blocks." + l + ".attn.";
            assertThat(p.quantized()).isTrue();
            checkStages(student, block, "q", training, p.query(), p.rectifiedQuery(), p.quantizedQuery(),
                    values(attention.query()), values(attention.rectifiedQuery()));
            checkStages(student, block, "k", training, p.key(), p.rectifiedKey(), p.quantizedKey(),
                    values(attention.key()), values(attention.rectifiedKey()));
            double[] softmax = values(attention.attention());
            assertFloatCopy(block + "attention", p.attention(), softmax);
            assertFloatCopy(block + "quantized attention", p.quantizedAttention(),
                    lsq(student, block + "attn_quant", softmax, TOKENS * TOKENS, false).values());
            checkHeadViews(p);
        }
        // and a probe of fewer images is the first images of the full one
        LayerProbe first3 = student.probes(traced, 3).get(1);
        assertThat(first3.images()).isEqualTo(3);
        assertThat(first3.quantizedKey()).containsExactly(Arrays.copyOf(probes.get(1).quantizedKey(),
                3 * HEADS * TOKENS * D));
    }

    /** raw = the engine's q (float copy); rectified = naive IRM of raw; quantized = naive LSQ of rectified. */
    private static void checkStages(VisionTransformer student, String block, String t, boolean training, float[] raw,
                                    float[] rectified, float[] quantized, double[] engineRaw, double[] engineRectified) {
        assertFloatCopy(block + t + " raw", raw, engineRaw);
        assertFloatCopy(block + t + " after IRM", rectified, naiveIrm(student, block + "norm_" + t, engineRaw, training));
        assertFloatCopy(block + t + " after the quantizer", quantized,
                lsq(student, block + t + "_quant", engineRectified, TOKENS * D, true).values());
    }

    private static double[] naiveIrm(VisionTransformer student, String irm, double[] x, boolean training) {
        return switch (student.quantization().rectification()) {
            case NONE -> x;
            case TOKEN -> NaiveQuantization.tokenIrm(x, D, param(student, irm + ".weight"), param(student, irm + ".bias"));
            case DISTRIBUTION -> {
                double[][] batch = NaiveQuantization.headStatistics(x, HEADS, TOKENS * D);
                double[] mean = training ? batch[0] : param(student, irm + ".running_mean");
                double[] var = training ? batch[1] : param(student, irm + ".running_var");
                yield NaiveQuantization.distributionIrm(x, HEADS, TOKENS * D, mean, var,
                        param(student, irm + ".weight"), param(student, irm + ".bias"));
            }
        };
    }

    /** queryOfHead / keyOfHead at each stage against index arithmetic on the flat [B, H, N, d] arrays. */
    private static void checkHeadViews(LayerProbe p) {
        for (int h = 0; h < HEADS; h++) {
            assertThat(p.queryOfHead(h, Stage.RAW)).containsExactly(ofHead(p.query(), h));
            assertThat(p.queryOfHead(h, Stage.RECTIFIED)).containsExactly(ofHead(p.rectifiedQuery(), h));
            assertThat(p.queryOfHead(h, Stage.QUANTIZED)).containsExactly(ofHead(p.quantizedQuery(), h));
            assertThat(p.keyOfHead(h, Stage.RECTIFIED)).containsExactly(ofHead(p.rectifiedKey(), h));
            assertThat(p.keyOfHead(h, Stage.QUANTIZED)).containsExactly(ofHead(p.quantizedKey(), h));
        }
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {2, 3, 4})
    void quantizerSnapshotsCountEveryCodeAndClippedValueOfEveryHead(int bits) {
        // given a token-IRM student with per-head steps and zero points set apart, after a training forward
        VisionTransformer student = student(bits, Rectification.TOKEN);
        VisionTransformer.Traced traced = student.trace(images, true);
        List<QuantizerSnapshot> snapshots = student.quantizerSnapshots();
        assertThat(snapshots).extracting(QuantizerSnapshot::name)
                .containsExactlyElementsOf(student.quantizers().stream().map(LsqQuantizer::name).toList());
        double clippedShares = 0;
        for (int l = 0; l < SMALL.depth(); l++) {
            AttentionTrace attention = traced.attention().get(l);
            String block = "blocks." + l + ".attn.";
            clippedShares += checkSnapshot(student, snapshots, block + "q_quant", values(attention.rectifiedQuery()),
                    TOKENS * D, true, bits);
            clippedShares += checkSnapshot(student, snapshots, block + "k_quant", values(attention.rectifiedKey()),
                    TOKENS * D, true, bits);
            clippedShares += checkSnapshot(student, snapshots, block + "attn_quant", values(attention.attention()),
                    TOKENS * TOKENS, false, bits);
        }
        // premise: some values are clipped, so a clipped share of 0 everywhere would not pass
        assertThat(clippedShares).isPositive();
    }

    /** One snapshot against the naive LSQ of its input; returns the sum of its heads' clipped shares. */
    private static double checkSnapshot(VisionTransformer student, List<QuantizerSnapshot> snapshots, String name,
                                        double[] input, int perHead, boolean signed, int bits) {
        QuantizerSnapshot s = snapshots.stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
        Lsq naive = lsq(student, name, input, perHead, signed);
        assertThat(s.bits()).isEqualTo(bits);
        assertThat(s.signed()).as("%s signed", name).isEqualTo(signed);
        assertThat(s.steps()).as("%s steps", name).containsExactly(param(student, name + ".step"));
        assertThat(s.zeroPoints()).as("%s zero points", name).containsExactly(param(student, name + ".zero_point"));
        assertThat(s.perChannel()).hasSize(HEADS);
        double clipped = 0;
        for (int h = -1; h < HEADS; h++) {
            CodeUsage usage = h < 0 ? s.usage() : s.perChannel().get(h);
            String what = name + (h < 0 ? " all heads" : " head " + h);
            long[] counts = naive.counts(h);
            assertThat(usage.lowestCode()).as("%s Qn", what).isEqualTo(naive.qn());
            assertThat(usage.counts()).as("%s code counts", what).containsExactly(counts);
            assertThat(usage.clipFraction()).as("%s clipped share", what).isCloseTo(naive.clipFraction(h), within(1e-15));
            assertThat(usage.entropyBits()).as("%s entropy", what)
                    .isCloseTo(NaiveQuantization.entropyBits(counts), within(1e-12));
            clipped += h < 0 ? 0 : naive.clipFraction(h);
        }
        return clipped;
    }

    @Test
    void queryKeyAnalysisFitsEachStageAndTakesTheEntropyOfTheWholeLayersCodes() {
        // given a 3-bit distribution-IRM student of a float64 teacher
        VisionTransformer teacher = teacher();
        VisionTransformer student = student(teacher, 3, Rectification.DISTRIBUTION);
        // when Fig. 1's statistics are taken (evaluation mode)
        List<BlockStatistics> stats = QueryKeyAnalysis.analyse(teacher, student, images);
        // then each is the mean / population std of the corresponding float64 tensor of an evaluation forward
        List<AttentionTrace> teacherAttention = teacher.trace(images, false).attention();
        List<AttentionTrace> studentAttention = student.trace(images, false).attention();
        assertThat(stats).hasSize(SMALL.depth());
        for (int l = 0; l < SMALL.depth(); l++) {
            AttentionTrace t = teacherAttention.get(l);
            AttentionTrace s = studentAttention.get(l);
            String block = "blocks." + l + ".attn.";
            BlockStatistics b = stats.get(l);
            Lsq q = lsq(student, block + "q_quant", values(s.rectifiedQuery()), TOKENS * D, true);
            Lsq k = lsq(student, block + "k_quant", values(s.rectifiedKey()), TOKENS * D, true);
            assertFit("teacher q", b.teacherQuery(), values(t.query()));
            assertFit("student q", b.studentQuery(), values(s.query()));
            assertFit("rectified q", b.rectifiedQuery(), naiveIrm(student, block + "norm_q", values(s.query()), false));
            assertFit("quantized q", b.quantizedQuery(), q.values());
            assertFit("teacher k", b.teacherKey(), values(t.key()));
            assertFit("student k", b.studentKey(), values(s.key()));
            assertFit("rectified k", b.rectifiedKey(), naiveIrm(student, block + "norm_k", values(s.key()), false));
            assertFit("quantized k", b.quantizedKey(), k.values());
            assertThat(b.queryEntropyBits()).isCloseTo(NaiveQuantization.entropyBits(q.counts(-1)), within(1e-12));
            assertThat(b.keyEntropyBits()).isCloseTo(NaiveQuantization.entropyBits(k.counts(-1)), within(1e-12));
            assertThat(b.queryStdRatio()).isCloseTo(std(q.values()) / std(values(t.query())), within(1e-6));
            assertThat(b.keyStdRatio()).isCloseTo(std(k.values()) / std(values(t.key())), within(1e-6));
        }
    }

    /** A fit of float32 copies against the mean and population std of the float64 values (float resolution). */
    private static void assertFit(String what, GaussianFit fit, double[] values) {
        double mean = Arrays.stream(values).sum() / values.length;
        double std = std(values);
        assertThat(fit.count()).as("%s count", what).isEqualTo(values.length);
        assertThat(fit.mean()).as("%s mean", what).isCloseTo(mean, within(1e-6 * std));
        assertThat(fit.std()).as("%s std", what).isCloseTo(std, within(1e-6 * std));
    }

    private static double std(double[] values) {
        double mean = Arrays.stream(values).sum() / values.length;
        return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length);
    }

    /**
     * A student of a float64 random teacher whose quantizers initialised on the batch, then IRM gamma/beta drawn
     * away from their start and each head's step scaled differently (0.6 and 1.1 of its initial value) with zero
     * points 0.3 and -0.8 (round to 0 and -1).
     */
    private VisionTransformer student(int bits, Rectification form) {
        return student(teacher(), bits, form);
    }

    private static VisionTransformer teacher() {
        VisionTransformer teacher = new VisionTransformer(SMALL, DataType.DOUBLE);
        teacher.init(new Random(4));
        return teacher;
    }

    private VisionTransformer student(VisionTransformer teacher, int bits, Rectification form) {
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(bits, form), images);
        Random random = new Random(17 + bits);
        for (int l = 0; l < SMALL.depth() && form != Rectification.NONE; l++) {
            for (String t : new String[] {"q", "k"}) {
                String irm = "blocks." + l + ".attn.norm_" + t;
                INDArray gamma = student.parameters().get(irm + ".weight").value();
                fillGaussian(gamma, random, 1.0, 0.3);
                fillGaussian(student.parameters().get(irm + ".bias").value(), random, 0.0, 0.3);
            }
        }
        student.forward(images, true);                       // LSQ initialisation
        for (LsqQuantizer q : student.quantizers()) {
            if (q.name().matches("blocks\\.\\d+\\.attn\\.(q|k|v|attn)_quant")) {
                INDArray step = q.step().value();
                step.putScalar(0, 0.6 * step.getDouble(0));
                step.putScalar(1, 1.1 * step.getDouble(1));
                q.zeroPoint().value().putScalar(0, 0.3);
                q.zeroPoint().value().putScalar(1, -0.8);
            }
        }
        return student;
    }

    private static Lsq lsq(VisionTransformer student, String quantizer, double[] x, int perHead, boolean signed) {
        BitWidth range = new BitWidth(student.quantization().bits(), signed);
        return NaiveQuantization.lsq(x, HEADS, perHead, param(student, quantizer + ".step"),
                param(student, quantizer + ".zero_point"), range.qn(), range.qp());
    }

    private static double[] param(VisionTransformer model, String name) {
        return model.parameters().get(name).value().toDoubleVector();
    }

    private static double[] values(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    /** Head h of a flat [B, H, N, d] array: element ((b H + h) N d + j) for every image b and j < N d. */
    private static float[] ofHead(float[] flat, int h) {
        int perHead = TOKENS * D;
        float[] out = new float[IMAGES * perHead];
        for (int b = 0; b < IMAGES; b++) {
            for (int j = 0; j < perHead; j++) {
                out[b * perHead + j] = flat[(b * HEADS + h) * perHead + j];
            }
        }
        return out;
    }

    /** Every element of a float32 probe array within {@link #FLOAT_COPY} (relative) of the float64 reference. */
    private static void assertFloatCopy(String what, float[] actual, double[] expected) {
        assertThat(actual).as("%s: length", what).hasSize(expected.length);
        int worst = 0;
        double worstExcess = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < actual.length; i++) {
            double excess = Math.abs(actual[i] - expected[i]) - (FLOAT_COPY * Math.abs(expected[i]) + 1e-12);
            if (!(excess <= worstExcess)) {
                worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                worst = i;
            }
        }
        assertThat(worstExcess).as("%s: element %d is %s, expected %s", what, worst, actual[worst], expected[worst])
                .isLessThanOrEqualTo(0);
    }
}
