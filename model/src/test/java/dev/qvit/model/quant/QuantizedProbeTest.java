package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.snapshot.LayerProbe;
import dev.qvit.model.snapshot.QuantizerSnapshot;
import dev.qvit.model.stats.BlockStatistics;
import dev.qvit.model.stats.CodeUsage;
import dev.qvit.model.stats.QueryKeyAnalysis;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class QuantizedProbeTest {
    private static final VitConfig SMALL = new VitConfig(28, 4, 1, 32, 2, 2, 64, 10);

    @Test
    void probesGiveQueriesBeforeAndAfterIrmAndAfterTheQuantizer() {
        VisionTransformer teacher = VisionTransformer.create(SMALL, 4);
        INDArray x = QuantizedStudentTest.batch(8);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.TOKEN), x);
        student.forward(x, true);
        List<LayerProbe> probes = student.probes(4);
        LayerProbe p = probes.get(1);
        assertThat(p.quantized()).isTrue();
        // token IRM: every (image, head, token) row of q~ has mean ~beta = 0 over its d channels
        float[] rectified = p.rectifiedQuery();
        double rowMean = 0;
        for (int c = 0; c < p.headDim(); c++) {
            rowMean += rectified[c];
        }
        assertThat(Math.abs(rowMean / p.headDim())).isLessThan(1e-4);
        // 2-bit signed quantized q takes at most 4 distinct values per head
        float[] quantized = p.queryOfHead(0, LayerProbe.Stage.QUANTIZED);
        assertThat(java.util.Arrays.stream(box(quantized)).distinct().count()).isLessThanOrEqualTo(4);
    }

    @Test
    void quantizerSnapshotsReportStepsClippingAndEntropyPerHead() {
        VisionTransformer teacher = VisionTransformer.create(SMALL, 5);
        INDArray x = QuantizedStudentTest.batch(8);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(3, QuantizationConfig.Rectification.NONE), x);
        student.forward(x, true);
        List<QuantizerSnapshot> snapshots = student.quantizerSnapshots();
        assertThat(snapshots).hasSize(student.quantizers().size());
        QuantizerSnapshot q = snapshots.stream().filter(s -> s.name().equals("blocks.0.attn.q_quant")).findFirst().orElseThrow();
        assertThat(q.bits()).isEqualTo(3);
        assertThat(q.steps()).hasSize(2);
        assertThat(java.util.Arrays.stream(q.steps()).allMatch(s -> s > 0)).isTrue();
        assertThat(q.perChannel()).hasSize(2);
        CodeUsage head0 = q.perChannel().get(0);
        assertThat(head0.counts()).hasSize(8);
        assertThat(head0.entropyBits()).isBetween(0.5, 3.0);
        assertThat(head0.clipFraction()).isBetween(0.0, 1.0);
        QuantizerSnapshot attn = snapshots.stream().filter(s -> s.name().equals("blocks.0.attn.attn_quant")).findFirst().orElseThrow();
        assertThat(attn.signed()).isFalse();
        List<BlockStatistics> stats = QueryKeyAnalysis.analyse(teacher, student, x);
        assertThat(stats).hasSize(2);
        assertThat(stats.get(0).queryEntropyBits()).isBetween(0.5, 3.0);
        assertThat(stats.get(0).teacherQuery().std()).isPositive();
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] + 0.0f;   // -0.0 and 0.0 are the same level
        }
        return out;
    }
}
