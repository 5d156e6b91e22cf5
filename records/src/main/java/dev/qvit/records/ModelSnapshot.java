package dev.qvit.records;

import dev.qvit.records.LayerProbe.Stage;
import java.util.List;
import java.util.Optional;

/**
 * What one model's attention looked like on the probe batch at one moment, summarised for the workbench: per layer
 * and head the q and k distributions at each stage (raw, after IRM, after the quantizer; all equal for a
 * full-precision model), the attention entropy, the attention matrices of the first images, and the quantizers.
 *
 * @param distributions     row-major [layer][head][tensor][stage]
 * @param attention         per layer, softmax probabilities of the first {@code attentionImages} images,
 *                          [image, head, N, N] row-major
 * @param attentionEntropy  per [layer][head], mean over images and query tokens of -sum_j p_ij log2 p_ij (bits)
 * @param quantizers        every quantizer after the probe pass (empty in full precision)
 * @param similarity        per layer, DGD's token similarities G = x x^T / ||x x^T||_F of the first probe image,
 *                          [tensor (q, k), head, N, N] row-major, from the q and k the attention uses (after IRM and
 *                          the quantizers for a student); empty when not recorded (sessions written before them)
 */
public record ModelSnapshot(int layers, int heads, int tokens, int attentionImages, List<HeadDistribution> distributions,
                            List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers,
                            List<float[]> similarity) {

    private static final int TENSORS = Tensor.values().length;
    private static final int STAGES = Stage.values().length;

    public ModelSnapshot {
        if (distributions.size() != layers * heads * TENSORS * STAGES || attention.size() != layers
                || attentionEntropy.length != layers * heads) {
            throw new IllegalArgumentException("snapshot arrays do not match layers x heads");
        }
        if (!similarity.isEmpty() && (similarity.size() != layers
                || similarity.stream().anyMatch(g -> g.length != TENSORS * heads * tokens * tokens))) {
            throw new IllegalArgumentException("similarity matrices do not match layers x [2, heads, N, N]");
        }
        similarity = similarity.stream().map(float[]::clone).toList();
        distributions = List.copyOf(distributions);
        attention = attention.stream().map(float[]::clone).toList();
        attentionEntropy = attentionEntropy.clone();
        quantizers = List.copyOf(quantizers);
    }

    /** A snapshot without similarity matrices. */
    public ModelSnapshot(int layers, int heads, int tokens, int attentionImages, List<HeadDistribution> distributions,
                         List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {
        this(layers, heads, tokens, attentionImages, distributions, attention, attentionEntropy, quantizers, List.of());
    }

    /** Index of one distribution in {@link #distributions()}. */
    public static int index(int heads, int layer, int head, Tensor tensor, Stage stage) {
        return ((layer * heads + head) * TENSORS + tensor.ordinal()) * STAGES + stage.ordinal();
    }

    public HeadDistribution distribution(int layer, int head, Tensor tensor, Stage stage) {
        return distributions.get(index(heads, layer, head, tensor, stage));
    }

    @Override
    public List<float[]> attention() {
        return attention.stream().map(float[]::clone).toList();
    }

    @Override
    public double[] attentionEntropy() {
        return attentionEntropy.clone();
    }

    public double attentionEntropy(int layer, int head) {
        return attentionEntropy[layer * heads + head];
    }

    /** The N x N attention matrix of one probe image and head, row-major. */
    public float[] attentionMap(int layer, int image, int head) {
        float[] out = new float[tokens * tokens];
        System.arraycopy(attention.get(layer), (image * heads + head) * tokens * tokens, out, 0, out.length);
        return out;
    }

    /** How much the cls token attends to each patch (row 0 without its cls column), patches row by row. */
    public float[] clsAttention(int layer, int image, int head) {
        float[] out = new float[tokens - 1];
        System.arraycopy(attention.get(layer), (image * heads + head) * tokens * tokens + 1, out, 0, out.length);
        return out;
    }

    @Override
    public List<float[]> similarity() {
        return similarity.stream().map(float[]::clone).toList();
    }

    public boolean hasSimilarity() {
        return !similarity.isEmpty();
    }

    /** DGD's N x N similarity matrix G of one tensor and head on the first probe image, row-major. */
    public float[] similarity(int layer, Tensor tensor, int head) {
        if (similarity.isEmpty()) {
            throw new IllegalStateException("this snapshot has no similarity matrices");
        }
        float[] out = new float[tokens * tokens];
        System.arraycopy(similarity.get(layer), (tensor.ordinal() * heads + head) * tokens * tokens, out, 0, out.length);
        return out;
    }

    public boolean quantized() {
        return !quantizers.isEmpty();
    }

    public Optional<QuantizerSnapshot> quantizer(String name) {
        return quantizers.stream().filter(q -> q.name().equals(name)).findFirst();
    }
}
