package dev.qvit.model.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.records.DistillationLoss;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.records.CodeUsage;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AttentionProbeTest {
    private static ImageDataset test;
    private static VisionTransformer teacher;

    @BeforeAll
    static void load() {
        test = FashionMnist.bundled().test();
        teacher = VisionTransformer.create(VitConfig.tiny(), 3);
    }

    @Test
    void probeBatchCyclesThroughTheClassesSoTheFirstTenShowOneOfEach() {
        ProbeBatch batch = ProbeBatch.of(test, 3);
        int[] labels = batch.images().labels();
        assertThat(batch.count()).isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            assertThat(labels[i]).isEqualTo(i % 10);
        }
    }

    @Test
    void aModelWithNonFiniteWeightsIsRefusedInWords() {
        VisionTransformer broken = VisionTransformer.create(VitConfig.tiny(), 4);
        broken.parameters().values().assign(Double.NaN);
        AttentionProbe probe = new AttentionProbe(ProbeBatch.of(test, 1), 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> probe.capture(broken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NaN or infinite outputs");
    }

    @Test
    void fullPrecisionSnapshotSummarisesEveryHeadOfTheRawProbes() {
        // given the teacher's snapshot of a probe batch and, taken independently, its raw probes of that batch
        ProbeBatch batch = ProbeBatch.of(test, 2);
        ModelSnapshot s = new AttentionProbe(batch, 5).capture(teacher);
        List<LayerProbe> probes = teacher.probes(teacher.trace(batch.normalised(), false), batch.count());
        // then
        assertThat(s.quantized()).isFalse();
        assertThat(s.layers()).isEqualTo(4);
        assertThat(s.attentionImages()).isEqualTo(5);
        for (LayerProbe p : probes) {
            float[] attention = p.attention();
            for (int h = 0; h < s.heads(p.layer()); h++) {
                // every stage of a full-precision model is the raw one: mean and population std of the head
                for (Stage stage : Stage.values()) {
                    assertFit(s.distribution(p.layer(), h, Tensor.QUERY, stage), ofHead(p.query(), p, h));
                    assertFit(s.distribution(p.layer(), h, Tensor.KEY, stage), ofHead(p.key(), p, h));
                }
                assertThat(s.attentionEntropy(p.layer(), h)).as("layer %d head %d entropy", p.layer(), h)
                        .isCloseTo(meanRowEntropyBits(attention, p, h), within(1e-9));
                assertThat(s.similarity(p.layer(), Tensor.QUERY, h)).containsExactly(Arrays.copyOfRange(
                        DistributionGuidedDistillation.similarity(p.query(), 0, p.heads(), p.tokens(), p.headDim()),
                        h * p.tokens() * p.tokens(), (h + 1) * p.tokens() * p.tokens()));
                assertThat(s.similarity(p.layer(), Tensor.KEY, h)).containsExactly(Arrays.copyOfRange(
                        DistributionGuidedDistillation.similarity(p.key(), 0, p.heads(), p.tokens(), p.headDim()),
                        h * p.tokens() * p.tokens(), (h + 1) * p.tokens() * p.tokens()));
                for (int b = 0; b < s.attentionImages(); b++) {
                    int start = (b * p.heads() + h) * p.tokens() * p.tokens();
                    float[] map = Arrays.copyOfRange(attention, start, start + p.tokens() * p.tokens());
                    assertThat(s.attentionMap(p.layer(), b, h)).containsExactly(map);
                    assertThat(s.clsAttention(p.layer(), b, h)).containsExactly(Arrays.copyOfRange(map, 1, p.tokens()));
                }
            }
        }
    }

    /** Head h of a flat [B, H, N, d] probe array, by index arithmetic. */
    private static float[] ofHead(float[] flat, LayerProbe p, int h) {
        int perHead = p.tokens() * p.headDim();
        float[] out = new float[p.images() * perHead];
        for (int b = 0; b < p.images(); b++) {
            System.arraycopy(flat, (b * p.heads() + h) * perHead, out, b * perHead, perHead);
        }
        return out;
    }

    private static void assertFit(HeadDistribution distribution, float[] values) {
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(squares / values.length);
        assertThat(distribution.fit().mean()).isCloseTo(mean, within(1e-12 * std));
        assertThat(distribution.fit().std()).isCloseTo(std, within(1e-12 * std));
        assertThat(distribution.histogram().total()).isEqualTo(values.length);
    }

    /** Mean over images and query tokens i of -sum_j a_ij log2 a_ij for head h, from the flat [B, H, N, N] array. */
    private static double meanRowEntropyBits(float[] attention, LayerProbe p, int h) {
        int n = p.tokens();
        double total = 0;
        for (int b = 0; b < p.images(); b++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double a = attention[((b * p.heads() + h) * n + i) * n + j];
                    total -= a > 0 ? a * Math.log(a) / Math.log(2) : 0;
                }
            }
        }
        return total / (p.images() * n);
    }

    @Test
    void headMetricsCompareTheStudentWithTheTeacher() {
        ProbeBatch batch = ProbeBatch.of(test, 2);
        AttentionProbe probe = new AttentionProbe(batch, 2);
        ModelSnapshot t = probe.capture(teacher);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.TOKEN), batch.normalised());
        student.forward(batch.normalised(), true);                  // LSQ initialises on its first training batch
        ModelSnapshot s = probe.capture(student);
        assertThat(s.quantized()).isTrue();
        // a student's G is taken from the q and k its attention uses: after IRM and the quantizers
        LayerProbe used = student.probes(student.trace(batch.normalised(), false), batch.count()).get(1);
        int nn = used.tokens() * used.tokens();
        assertThat(s.similarity(1, Tensor.QUERY, 2)).containsExactly(Arrays.copyOfRange(DistributionGuidedDistillation
                .similarity(used.quantizedQuery(), 0, used.heads(), used.tokens(), used.headDim()), 2 * nn, 3 * nn));
        assertThat(s.similarity(1, Tensor.KEY, 2)).isNotEqualTo(t.similarity(1, Tensor.KEY, 2));
        double ratio = HeadMetric.QUERY_STD_RATIO.of(t, s, null, 1, 2);
        assertThat(ratio).isCloseTo(s.distribution(1, 2, Tensor.QUERY, Stage.QUANTIZED).fit().std()
                / t.distribution(1, 2, Tensor.QUERY, Stage.RAW).fit().std(), within(1e-12));
        assertThat(HeadMetric.QUERY_STD_RATIO.grid(t, s, null)[1][2]).isEqualTo(ratio);
        assertThat(HeadMetric.KEY_STD_RATIO.of(t, s, null, 1, 2)).isEqualTo(s.distribution(1, 2, Tensor.KEY,
                Stage.QUANTIZED).fit().std() / t.distribution(1, 2, Tensor.KEY, Stage.RAW).fit().std());
        // code entropy: that of head 2 of the layer's q (k) quantizer, whose counts QuantizedProbeTest checks;
        // the heads' and tensors' entropies differ, so a wrong head or tensor would show
        List<CodeUsage> q = s.quantizer("blocks.1.attn.q_quant").orElseThrow().perChannel();
        List<CodeUsage> k = s.quantizer("blocks.1.attn.k_quant").orElseThrow().perChannel();
        assertThat(HeadMetric.QUERY_CODE_ENTROPY.of(t, s, null, 1, 2)).isEqualTo(q.get(2).entropyBits())
                .isNotEqualTo(q.get(1).entropyBits()).isNotEqualTo(k.get(2).entropyBits());
        assertThat(HeadMetric.KEY_CODE_ENTROPY.of(t, s, null, 1, 2)).isEqualTo(k.get(2).entropyBits())
                .isNotEqualTo(k.get(3).entropyBits());
        assertThat(HeadMetric.ATTENTION_ENTROPY.of(t, s, null, 3, 1)).isEqualTo(s.attentionEntropy(3, 1));
        // a head the quantizer does not have: NaN
        assertThat(HeadMetric.QUERY_CODE_ENTROPY.of(t, s, null, 1, q.size())).isNaN();
        // no teacher or no quantizer: NaN, not a made-up number
        assertThat(HeadMetric.QUERY_STD_RATIO.of(null, s, null, 1, 2)).isNaN();
        assertThat(HeadMetric.KEY_CODE_ENTROPY.of(null, t, null, 0, 0)).isNaN();
        DistillationLoss dgd = new DistillationLoss(4, 4, new double[16], sequence(16));
        assertThat(HeadMetric.DGD_LOSS.grid(t, s, dgd)[3][1]).isEqualTo(13.0);
        assertThat(HeadMetric.DGD_LOSS.of(t, s, null, 0, 0)).isNaN();
        // DGD of fewer layers than the model (the student's last layers not distilled): NaN beyond them
        double[][] twoLayers = HeadMetric.DGD_LOSS.grid(t, s, new DistillationLoss(2, 4, new double[8], sequence(8)));
        assertThat(twoLayers[1][3]).isEqualTo(7.0);
        assertThat(twoLayers[2][0]).isNaN();
        assertThat(List.of(HeadMetric.values())).allMatch(m -> !m.formula().isBlank());
    }

    private static double[] sequence(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }
}
