package dev.qvit.model.probe;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.vit.Backbone;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a model in evaluation mode on the probe batch and summarises what its attention saw as a
 * {@link ModelSnapshot}. Call it on the thread that trains the model, between steps: it reuses the model's buffers.
 */
public final class AttentionProbe {
    /** Histogram bins of each q/k distribution. */
    public static final int BINS = 64;

    private final ProbeBatch batch;
    private final int attentionImages;

    /** Keeps the attention matrices of the first {@code attentionImages} probe images. */
    public AttentionProbe(ProbeBatch batch, int attentionImages) {
        this.batch = batch;
        this.attentionImages = Math.min(attentionImages, batch.count());
    }

    /** A snapshot with the per-block probes it was made of (the q, k and attention of every probe image). */
    public record Capture(ModelSnapshot snapshot, List<LayerProbe> probes) {
    }

    /** @throws IllegalStateException when the model's outputs are NaN or infinite */
    public ModelSnapshot capture(Backbone model) {
        return captureWithProbes(model).snapshot();
    }

    /** As {@link #capture}, keeping the probes (for statistics such as {@link QueryKeyAnalysis}'s). */
    public Capture captureWithProbes(Backbone model) {
        Backbone.Traced traced = model.trace(batch.normalised(), false);
        double logitSum = traced.logits().sumNumber().doubleValue();
        if (!Double.isFinite(logitSum)) {
            throw new IllegalStateException("the model gives NaN or infinite outputs on the probe images: its "
                    + "weights are not finite (a diverged run or a corrupt checkpoint)");
        }
        List<LayerProbe> probes = model.probes(traced, batch.count());
        List<HeadDistribution> distributions = new ArrayList<>();
        List<float[]> attention = new ArrayList<>();
        List<float[]> similarity = new ArrayList<>();
        double[] entropy = new double[probes.stream().mapToInt(LayerProbe::heads).sum()];
        int head = 0;
        for (LayerProbe probe : probes) {
            StepCancelledException.throwIfInterrupted();
            for (int h = 0; h < probe.heads(); h++, head++) {
                for (Tensor tensor : Tensor.values()) {
                    for (Stage stage : Stage.values()) {
                        float[] values = tensor == Tensor.QUERY ? probe.queryOfHead(h, stage) : probe.keyOfHead(h, stage);
                        distributions.add(HeadDistribution.of(values, BINS));
                    }
                }
                entropy[head] = meanRowEntropyBits(probe, h);
            }
            attention.add(probe.attentionOfFirstImages(attentionImages));
            similarity.add(similarity(probe));
        }
        return new Capture(new ModelSnapshot(model.attentionGeometry(), attentionImages, distributions, attention,
                entropy, model.quantizerSnapshots(), similarity), probes);
    }

    /**
     * DGD's G of q then k on the first probe image's windows, [2, W, H, N, N], from what the attention uses: after
     * IRM and the quantizers for a student, raw for a full-precision model.
     */
    private static float[] similarity(LayerProbe probe) {
        float[] q = probe.quantized() ? probe.quantizedQuery() : probe.query();      // [B, W, H, N, d]
        float[] k = probe.quantized() ? probe.quantizedKey() : probe.key();
        int perWindow = probe.heads() * probe.tokens() * probe.tokens();
        float[] both = new float[2 * probe.windows() * perWindow];                  // [2, W, H, N, N]
        for (int t = 0; t < 2; t++) {
            for (int w = 0; w < probe.windows(); w++) {                             // image 0's windows come first
                float[] g = DistributionGuidedDistillation.similarity(t == 0 ? q : k, w, probe.heads(), probe.tokens(),
                        probe.headDim());
                System.arraycopy(g, 0, both, (t * probe.windows() + w) * perWindow, perWindow);
            }
        }
        return both;
    }

    public ProbeBatch batch() {
        return batch;
    }

    /**
     * Mean over images, windows and query tokens of the entropy -sum_j p_ij log2 p_ij of one head's attention rows.
     */
    static double meanRowEntropyBits(LayerProbe probe, int head) {
        int n = probe.tokens();
        int batch = probe.images() * probe.windows();
        double total = 0;
        for (int b = 0; b < batch; b++) {
            float[] map = probe.attentionMap(b / probe.windows(), b % probe.windows(), head);
            for (int i = 0; i < n; i++) {
                double h = 0;
                for (int j = 0; j < n; j++) {
                    double p = map[i * n + j];
                    if (p > 0) {
                        h -= p * Math.log(p);
                    }
                }
                total += h;
            }
        }
        return total / ((double) batch * n) / Math.log(2);
    }
}
