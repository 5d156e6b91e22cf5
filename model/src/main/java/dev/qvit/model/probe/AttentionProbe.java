package dev.qvit.model.probe;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.vit.VisionTransformer;
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

    /** @throws IllegalStateException when the model's outputs are NaN or infinite */
    public ModelSnapshot capture(VisionTransformer model) {
        VisionTransformer.Traced traced = model.trace(batch.normalised(), false);
        double logitSum = traced.logits().sumNumber().doubleValue();
        if (!Double.isFinite(logitSum)) {
            throw new IllegalStateException("the model gives NaN or infinite outputs on the probe images: its "
                    + "weights are not finite (a diverged run or a corrupt checkpoint)");
        }
        List<LayerProbe> probes = model.probes(traced, batch.count());
        int heads = model.config().numHeads();
        int tokens = model.config().numTokens();
        List<HeadDistribution> distributions = new ArrayList<>();
        List<float[]> attention = new ArrayList<>();
        List<float[]> similarity = new ArrayList<>();
        double[] entropy = new double[probes.size() * heads];
        for (LayerProbe probe : probes) {
            StepCancelledException.throwIfInterrupted();
            for (int h = 0; h < heads; h++) {
                for (Tensor tensor : Tensor.values()) {
                    for (Stage stage : Stage.values()) {
                        float[] values = tensor == Tensor.QUERY ? probe.queryOfHead(h, stage) : probe.keyOfHead(h, stage);
                        distributions.add(HeadDistribution.of(values, BINS));
                    }
                }
                entropy[probe.layer() * heads + h] = meanRowEntropyBits(probe, h);
            }
            attention.add(probe.attentionOfFirstImages(attentionImages));
            similarity.add(similarity(probe));
        }
        return new ModelSnapshot(probes.size(), heads, tokens, attentionImages, distributions, attention, entropy,
                model.quantizerSnapshots(), similarity);
    }

    /**
     * DGD's G of q then k on the first probe image, [2, H, N, N], from what the attention uses: after IRM and the
     * quantizers for a student, raw for a full-precision model.
     */
    private static float[] similarity(LayerProbe probe) {
        float[] q = probe.quantized() ? probe.quantizedQuery() : probe.query();      // [B, H, N, d]
        float[] k = probe.quantized() ? probe.quantizedKey() : probe.key();
        float[] gq = DistributionGuidedDistillation.similarity(q, 0, probe.heads(), probe.tokens(), probe.headDim());
        float[] gk = DistributionGuidedDistillation.similarity(k, 0, probe.heads(), probe.tokens(), probe.headDim());
        float[] both = java.util.Arrays.copyOf(gq, gq.length * 2);                  // [2, H, N, N]
        System.arraycopy(gk, 0, both, gq.length, gk.length);
        return both;
    }

    public ProbeBatch batch() {
        return batch;
    }

    /** Mean over images and query tokens of the entropy -sum_j p_ij log2 p_ij of one head's attention rows. */
    static double meanRowEntropyBits(LayerProbe probe, int head) {
        int n = probe.tokens();
        double total = 0;
        for (int b = 0; b < probe.images(); b++) {
            float[] map = probe.attentionMap(b, head);
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
        return total / (probe.images() * n) / Math.log(2);
    }
}
