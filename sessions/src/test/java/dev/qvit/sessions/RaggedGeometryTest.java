package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import dev.qvit.records.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Swin run's records, whose stages differ in heads and attend within windows, survive the session's files. */
class RaggedGeometryTest {
    private static final List<LayerGeometry> GEOMETRY = List.of(
            new LayerGeometry("layers.0.blocks.0", 2, 4, 4, 4, new int[] {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}),
            new LayerGeometry("layers.1.blocks.0", 4, 4, 1, 2, new int[] {0, 1, 2, 3}));

    @TempDir
    Path dir;

    @Test
    void distillationTermsPerLayerAndHeadComeBackWithEachLayersHeads() throws Exception {
        DistillationLoss d = new DistillationLoss(new int[] {2, 4}, new double[] {1, 2, 3, 4, 5, 6},
                new double[] {10, 20, 30, 40, 50, 60});
        StepMetrics step = new StepMetrics(0, 10, 0, 2.5, 2.0, 0.1, 1e-3, 1.0, 100, 1.5, d);
        try (MetricsStore store = MetricsStore.create(dir)) {
            store.addStep(step);
            store.commit();
        }
        try (MetricsStore store = MetricsStore.open(dir, false)) {
            DistillationLoss read = store.steps().get(0).distillation();
            assertThat(read).isEqualTo(d);
            assertThat(read.of(1, 3)).isEqualTo(66.0);
        }
        String csv = SessionCsv.steps(List.of(step));
        assertThat(csv.lines().findFirst().orElseThrow()).endsWith("dgd_k_l0_h1,dgd_k_l1_h0,dgd_k_l1_h1,dgd_k_l1_h2,dgd_k_l1_h3");
        assertThat(csv.lines().skip(1).findFirst().orElseThrow()).endsWith(",1.0,2.0,3.0,4.0,5.0,6.0,10.0,20.0,30.0,40.0,50.0,60.0");
    }

    @Test
    void aWindowedSnapshotSurvivesTheProbeFile() throws Exception {
        ModelSnapshot m = snapshot();
        Path file = dir.resolve("step-00000003.safetensors");
        Files.write(file, ProbeFile.bytes(new ProbeSnapshot(3, 0, m)));
        ModelSnapshot read = ProbeFile.read(file).model();
        assertThat(read.geometry()).isEqualTo(GEOMETRY);
        assertThat(read.attentionMap(0, 1, 3, 1)).containsExactly(m.attentionMap(0, 1, 3, 1));
        assertThat(read.similarity(1, Tensor.KEY, 0, 3)).containsExactly(m.similarity(1, Tensor.KEY, 0, 3));
        HeadDistribution written = m.distribution(1, 3, Tensor.KEY, LayerProbe.Stage.RAW);
        HeadDistribution back = read.distribution(1, 3, Tensor.KEY, LayerProbe.Stage.RAW);
        assertThat(back.fit()).isEqualTo(written.fit());
        assertThat(back.histogram().counts()).containsExactly(written.histogram().counts());
        assertThat(read.attentionEntropy(1, 2)).isEqualTo(4.0);
    }

    private static ModelSnapshot snapshot() {
        List<HeadDistribution> distributions = new ArrayList<>();
        for (int i = 0; i < 6 * 2 * 3; i++) {
            distributions.add(HeadDistribution.of(new float[] {i, i + 2, i + 5}, 4));
        }
        List<float[]> attention = new ArrayList<>();
        List<float[]> similarity = new ArrayList<>();
        for (LayerGeometry g : GEOMETRY) {
            float[] a = new float[2 * g.attentionPerImage()];
            float[] s = new float[2 * g.attentionPerImage()];
            for (int i = 0; i < a.length; i++) {
                a[i] = i * 0.5f;
                s[i] = -i * 0.25f;
            }
            attention.add(a);
            similarity.add(s);
        }
        return new ModelSnapshot(GEOMETRY, 2, distributions, attention, new double[] {0, 1, 2, 3, 4, 5}, List.of(),
                similarity);
    }
}
