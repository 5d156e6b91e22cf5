package dev.qvit.model.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.swin.SwinTransformer;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Swin model's snapshot: each block with its own heads, attention per window, placed on the image. */
class SwinProbeTest {
    private static ImageDataset test;
    private static SwinTransformer teacher;
    private static ProbeBatch batch;

    @BeforeAll
    static void load() {
        test = FashionMnist.bundled().test();
        teacher = SwinTransformer.create(SwinConfig.tiny(), 3);
        batch = ProbeBatch.of(test, 1);
    }

    @Test
    void eachBlockKeepsItsStagesHeadsAndWindows() {
        ModelSnapshot s = new AttentionProbe(batch, 2).capture(teacher);
        assertThat(s.headsPerLayer()).containsExactly(2, 2, 4, 4);
        LayerGeometry first = s.geometry(0);
        assertThat(first.block()).isEqualTo("layers.0.blocks.0");
        assertThat(first.windows()).isEqualTo(4);
        assertThat(first.tokens()).isEqualTo(49);
        assertThat(first.gridSide()).isEqualTo(14);
        assertThat(first.hasClassToken()).isFalse();
        // the shifted block's first window starts at the token rolled by half a window: (3, 3) on the 14x14 map
        assertThat(s.geometry(1).patchOf(0, 0)).isEqualTo(3 * 14 + 3);
        assertThat(s.geometry(2).windows()).isEqualTo(1);
        assertThat(s.geometry(2).gridSide()).isEqualTo(7);
        assertThat(s.attentionEntropy(3, 3)).isBetween(0.0, Math.log(49) / Math.log(2));
    }

    @Test
    void theSnapshotsWindowsAreTheTracedOnesAndEachRowIsADistribution() {
        ModelSnapshot s = new AttentionProbe(batch, 2).capture(teacher);
        List<LayerProbe> probes = teacher.probes(teacher.trace(batch.normalised(), false), batch.count());
        for (int l = 0; l < 4; l++) {
            LayerGeometry g = s.geometry(l);
            for (int w = 0; w < g.windows(); w++) {
                float[] map = s.attentionMap(l, 1, w, g.heads() - 1);
                assertThat(map).containsExactly(probes.get(l).attentionMap(1, w, g.heads() - 1));
                for (int i = 0; i < g.tokens(); i++) {
                    double row = 0;
                    for (int j = 0; j < g.tokens(); j++) {
                        row += map[i * g.tokens() + j];
                    }
                    assertThat(row).as("layer %d window %d row %d", l, w, i).isCloseTo(1.0, within(1e-5));
                }
            }
            // over the image, each patch the mean attention it gets in its window: a window's patches sum to 1
            float[] over = s.attentionOverImage(l, 1, 0);
            assertThat(over).hasSize(g.gridSide() * g.gridSide());
            double total = 0;
            for (float v : over) {
                total += v;
            }
            assertThat(total).isCloseTo(g.windows(), within(1e-4));
        }
    }

    @Test
    void aQuantizedSwinsOverviewHasARowPerBlockWhateverItsHeads() {
        org.nd4j.linalg.api.ndarray.INDArray images = BatchLoader.firstImages(test, 20);
        SwinTransformer student = QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(4,
                QuantizationConfig.Rectification.TOKEN), images);
        student.forward(images, true);                                              // LSQ initialisation
        ModelSnapshot s = new AttentionProbe(batch, 2).capture(student);
        ModelSnapshot t = new AttentionProbe(batch, 2).capture(teacher);
        assertThat(s.quantized()).isTrue();
        assertThat(s.quantizer(2, Tensor.QUERY)).hasValueSatisfying(
                q -> assertThat(q.name()).isEqualTo("layers.1.blocks.0.attn.q_quant"));
        double[][] grid = HeadMetric.QUERY_STD_RATIO.grid(t, s, null);
        assertThat(grid).hasDimensions(4, 4);
        assertThat(grid[0][1]).isPositive();
        assertThat(grid[0][2]).isNaN();
        assertThat(grid[3][3]).isPositive();
        assertThat(HeadMetric.QUERY_CODE_ENTROPY.grid(t, s, null)[2][3]).isBetween(0.0, 4.0);
    }
}
