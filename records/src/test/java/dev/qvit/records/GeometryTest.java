package dev.qvit.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.records.LayerProbe.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots and DGD records of models whose layers differ in heads and attend within windows (Swin). */
class GeometryTest {
    /** Swin-like: a 4x4 grid in 4 windows of 2x2 with 2 heads, then a 2x2 grid in one window with 4 heads. */
    private static final LayerGeometry STAGE_1 = new LayerGeometry("layers.0.blocks.0", 2, 4, 4, 4,
            new int[] {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15});
    private static final LayerGeometry STAGE_2 = new LayerGeometry("layers.1.blocks.0", 4, 4, 1, 2, new int[] {0, 1, 2, 3});
    private static final int IMAGES = 2;

    @Test
    void aVitLayerIsOneWindowWithItsClsTokenFirst() {
        LayerGeometry vit = LayerGeometry.global(0, 4, 50);
        assertThat(vit.quantizerName(Tensor.KEY)).isEqualTo("blocks.0.attn.k_quant");
        assertThat(vit.gridSide()).isEqualTo(7);
        assertThat(vit.windows()).isEqualTo(1);
        assertThat(vit.hasClassToken()).isTrue();
        assertThat(vit.patchOf(0, 0)).isEqualTo(-1);
        assertThat(vit.patchOf(0, 8)).isEqualTo(7);
        assertThat(STAGE_1.hasClassToken()).isFalse();
        assertThatThrownBy(() -> new LayerGeometry("blocks.0", 2, 4, 1, 2, new int[] {0, 1, 2, 4}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachLayerKeepsItsOwnHeadsInTheSnapshot() {
        ModelSnapshot s = snapshot();
        assertThat(s.layers()).isEqualTo(2);
        assertThat(s.headsPerLayer()).containsExactly(2, 4);
        assertThat(s.maxHeads()).isEqualTo(4);
        // distributions and entropies run layer after layer: layer 1's head 3 is the sixth head overall
        assertThat(s.distribution(1, 3, Tensor.KEY, Stage.QUANTIZED).fit().mean()).isCloseTo(marker(5, 1, 2), within(1e-5));
        assertThat(s.distribution(0, 1, Tensor.QUERY, Stage.RAW).fit().mean()).isCloseTo(marker(1, 0, 0), within(1e-5));
        assertThat(s.attentionEntropy(1, 3)).isEqualTo(5.0);
        assertThatThrownBy(() -> s.attentionEntropy(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void attentionMapsAreCutPerImageWindowAndHead() {
        ModelSnapshot s = snapshot();
        // [image, window, head, N, N]: image 1, window 2, head 1 of layer 0
        float[] map = s.attentionMap(0, 1, 2, 1);
        int start = ((1 * 4 + 2) * 2 + 1) * 16;
        assertThat(map[0]).isEqualTo(attention(0).get(start));
        assertThat(map[15]).isEqualTo(attention(0).get(start + 15));
        assertThatThrownBy(() -> s.clsAttention(0, 0, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withoutAClsTokenEachPatchShowsTheMeanAttentionItReceivesInItsWindow() {
        ModelSnapshot s = snapshot();
        float[] over = s.attentionOverImage(0, 1, 1);
        assertThat(over).hasSize(16);
        for (int w = 0; w < 4; w++) {
            float[] map = s.attentionMap(0, 1, w, 1);
            for (int key = 0; key < 4; key++) {
                double mean = (map[key] + map[4 + key] + map[8 + key] + map[12 + key]) / 4.0;
                assertThat((double) over[STAGE_1.patchOf(w, key)]).as("window %d key %d", w, key)
                        .isCloseTo(mean, within(1e-6));
            }
        }
    }

    @Test
    void theOverviewGridIsAsWideAsTheWidestLayerWithNanBeyondALayersHeads() {
        double[][] grid = HeadMetric.ATTENTION_ENTROPY.grid(null, snapshot(), null);
        assertThat(grid).hasDimensions(2, 4);
        assertThat(grid[0][1]).isEqualTo(1.0);
        assertThat(grid[0][2]).isNaN();
        assertThat(grid[1][3]).isEqualTo(5.0);
    }

    @Test
    void distillationLossesRunLayerAfterLayerWithEachLayersHeads() {
        DistillationLoss d = new DistillationLoss(new int[] {2, 4}, new double[] {1, 2, 3, 4, 5, 6},
                new double[] {10, 20, 30, 40, 50, 60});
        assertThat(d.layers()).isEqualTo(2);
        assertThat(d.maxHeads()).isEqualTo(4);
        assertThat(d.of(1, 3)).isEqualTo(66.0);
        assertThat(d.ofLayer(0)).isEqualTo(33.0);
        assertThat(d.total()).isEqualTo(231.0);
        assertThatThrownBy(() -> d.of(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(new DistillationLoss(2, 2, new double[] {1, 2, 3, 4}, new double[] {5, 6, 7, 8}))
                .isEqualTo(new DistillationLoss(new int[] {2, 2}, new double[] {1, 2, 3, 4}, new double[] {5, 6, 7, 8}));
        assertThatThrownBy(() -> new DistillationLoss(new int[] {2, 4}, new double[5], new double[6]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVitSnapshotIsTheUniformCase() {
        List<HeadDistribution> distributions = new ArrayList<>(Collections.nCopies(2 * 3 * 2 * 3,
                HeadDistribution.of(new float[] {0, 1}, 2)));
        ModelSnapshot vit = new ModelSnapshot(2, 3, 5, 1, distributions, List.of(new float[75], new float[75]),
                new double[6], List.of());
        assertThat(vit.geometry(1)).isEqualTo(LayerGeometry.global("blocks.1", 3, 5));
        assertThat(vit.attentionOverImage(0, 0, 2)).hasSize(4);
    }

    static ModelSnapshot snapshot() {
        List<HeadDistribution> distributions = new ArrayList<>();
        int head = 0;
        double[] entropy = new double[6];
        for (LayerGeometry g : List.of(STAGE_1, STAGE_2)) {
            for (int h = 0; h < g.heads(); h++, head++) {
                for (Tensor t : Tensor.values()) {
                    for (Stage stage : Stage.values()) {
                        float m = marker(head, t.ordinal(), stage.ordinal());
                        distributions.add(HeadDistribution.of(new float[] {m - 1, m + 1}, 4));
                    }
                }
                entropy[head] = head;
            }
        }
        return new ModelSnapshot(List.of(STAGE_1, STAGE_2), IMAGES, distributions,
                List.of(toArray(attention(0)), toArray(attention(1))), entropy, List.of(), List.of());
    }

    private static float marker(int head, int tensor, int stage) {
        return head * 100 + tensor * 10 + stage;
    }

    private static List<Float> attention(int layer) {
        LayerGeometry g = layer == 0 ? STAGE_1 : STAGE_2;
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < IMAGES * g.attentionPerImage(); i++) {
            values.add((float) Math.sin(i * 0.37 + layer));
        }
        return values;
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
