package dev.qvit.model.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedStudent;
import dev.qvit.model.snapshot.DistillationLoss;
import dev.qvit.model.snapshot.HeadMetric;
import dev.qvit.model.snapshot.LayerProbe;
import dev.qvit.model.snapshot.LayerProbe.Stage;
import dev.qvit.model.snapshot.ModelSnapshot;
import dev.qvit.model.snapshot.Tensor;
import dev.qvit.model.stats.GaussianFit;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
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
    void fullPrecisionSnapshotMatchesTheRawProbeAndHasEqualStages() {
        ProbeBatch batch = ProbeBatch.of(test, 2);
        ModelSnapshot s = new AttentionProbe(batch, 5).capture(teacher);
        assertThat(s.quantized()).isFalse();
        assertThat(s.layers()).isEqualTo(4);
        assertThat(s.attentionImages()).isEqualTo(5);
        // the Gaussian fit of head 1 in layer 2 is the one of the raw probe's queries of that head
        teacher.forward(batch.normalised(), false);
        LayerProbe raw = teacher.probes(batch.count()).get(2);
        GaussianFit expected = GaussianFit.of(raw.queryOfHead(1));
        GaussianFit fit = s.distribution(2, 1, Tensor.QUERY, Stage.RAW).fit();
        assertThat(fit.mean()).isCloseTo(expected.mean(), within(1e-9));
        assertThat(fit.std()).isCloseTo(expected.std(), within(1e-9));
        assertThat(s.distribution(2, 1, Tensor.QUERY, Stage.QUANTIZED).fit()).isEqualTo(fit);
        // attention rows are distributions: cls row sums to 1 with its own column
        float[] map = s.attentionMap(0, 4, 3);
        double row = 0;
        for (int j = 0; j < s.tokens(); j++) {
            row += map[j];
        }
        assertThat(row).isCloseTo(1, within(1e-4));
        float[] cls = s.clsAttention(0, 4, 3);
        assertThat(cls).hasSize(49);
        assertThat(cls[0]).isEqualTo(map[1]);
        // entropy of a row of N probabilities lies in [0, log2 N]
        for (int h = 0; h < 4; h++) {
            assertThat(s.attentionEntropy(1, h)).isBetween(0.0, Math.log(50) / Math.log(2));
        }
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
        double ratio = HeadMetric.QUERY_STD_RATIO.of(t, s, null, 1, 2);
        assertThat(ratio).isCloseTo(s.distribution(1, 2, Tensor.QUERY, Stage.QUANTIZED).fit().std()
                / t.distribution(1, 2, Tensor.QUERY, Stage.RAW).fit().std(), within(1e-12));
        // 2-bit codes: entropy in (0, 2] bits
        assertThat(HeadMetric.QUERY_CODE_ENTROPY.of(t, s, null, 1, 2)).isGreaterThan(0).isLessThanOrEqualTo(2.0);
        // no teacher or no quantizer: NaN, not a made-up number
        assertThat(HeadMetric.QUERY_STD_RATIO.of(null, s, null, 1, 2)).isNaN();
        assertThat(HeadMetric.KEY_CODE_ENTROPY.of(null, t, null, 0, 0)).isNaN();
        DistillationLoss dgd = new DistillationLoss(4, 4, new double[16], sequence(16));
        assertThat(HeadMetric.DGD_LOSS.grid(t, s, dgd)[3][1]).isEqualTo(13.0);
        assertThat(HeadMetric.DGD_LOSS.of(t, s, null, 0, 0)).isNaN();
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
