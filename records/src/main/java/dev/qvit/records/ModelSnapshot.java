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
 */
public record ModelSnapshot(int layers, int heads, int tokens, int attentionImages, List<HeadDistribution> distributions,
                            List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {

    private static final int TENSORS = Tensor.values().length;
    private static final int STAGES = Stage.values().length;

    public ModelSnapshot {
        if (distributions.size() != layers * heads * TENSORS * STAGES || attention.size() != layers
                || attentionEntropy.length != layers * heads) {
            throw new IllegalArgumentException("snapshot arrays do not match layers x heads");
        }
        distributions = List.copyOf(distributions);
        attention = attention.stream().map(float[]::clone).toList();
        attentionEntropy = attentionEntropy.clone();
        quantizers = List.copyOf(quantizers);
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

    public boolean quantized() {
        return !quantizers.isEmpty();
    }

    public Optional<QuantizerSnapshot> quantizer(String name) {
        return quantizers.stream().filter(q -> q.name().equals(name)).findFirst();
    }
}
