package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probe snapshots keep DGD's similarity matrices, and files written before them still open. */
class ProbeFileTest {
    private static final int LAYERS = 2;
    private static final int HEADS = 2;
    private static final int TOKENS = 3;

    @TempDir
    Path dir;

    @Test
    void similarityMatricesSurviveTheFile() throws Exception {
        List<float[]> similarity = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            float[] g = new float[2 * HEADS * TOKENS * TOKENS];
            for (int i = 0; i < g.length; i++) {
                g[i] = l * 100 + i * 0.25f;
            }
            similarity.add(g);
        }
        ProbeSnapshot read = roundTrip(snapshot(similarity));
        assertThat(read.model().hasSimilarity()).isTrue();
        // layer 1, k, head 1 is the last N x N block of layer 1's [2, H, N, N]
        float[] expected = java.util.Arrays.copyOfRange(similarity.get(1), 3 * TOKENS * TOKENS, 4 * TOKENS * TOKENS);
        assertThat(read.model().similarity(1, Tensor.KEY, 1)).containsExactly(expected);
    }

    @Test
    void aSnapshotWithoutSimilarityReadsAsOneWithout() throws Exception {
        ProbeSnapshot read = roundTrip(snapshot(List.of()));
        assertThat(read.model().hasSimilarity()).isFalse();
        assertThat(read.model().attention()).hasSize(LAYERS);
    }

    private ProbeSnapshot roundTrip(ProbeSnapshot p) throws Exception {
        Path file = dir.resolve("step-" + System.nanoTime() + ".safetensors");
        Files.write(file, ProbeFile.bytes(p));
        return ProbeFile.read(file);
    }

    private static ProbeSnapshot snapshot(List<float[]> similarity) {
        List<HeadDistribution> distributions = new ArrayList<>();
        for (int i = 0; i < LAYERS * HEADS * Tensor.values().length * LayerProbe.Stage.values().length; i++) {
            distributions.add(HeadDistribution.of(new float[] {i, i + 1, i + 3}, 4));
        }
        List<float[]> attention = List.of(new float[HEADS * TOKENS * TOKENS], new float[HEADS * TOKENS * TOKENS]);
        return new ProbeSnapshot(7, 0, new ModelSnapshot(LAYERS, HEADS, TOKENS, 1, distributions, attention,
                new double[LAYERS * HEADS], List.of(), similarity));
    }
}
