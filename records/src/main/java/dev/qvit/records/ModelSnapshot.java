package dev.qvit.records;

import dev.qvit.records.LayerProbe.Stage;
import java.util.List;
import java.util.Optional;

/**
 * What one model's attention looked like on the probe batch at one moment, summarised for the workbench: per layer
 * and head the q and k distributions at each stage (raw, after IRM, after the quantizer; all equal for a
 * full-precision model), the attention entropy, the attention matrices of the first images, and the quantizers.
 * Each layer has its own {@link LayerGeometry}: Swin's stages differ in heads, and attend within windows.
 *
 * @param geometry          per layer, heads, tokens per window, windows and the patch of each token
 * @param distributions     layer after layer, row-major [head][tensor][stage] within a layer
 * @param attention         per layer, softmax probabilities of the first {@code attentionImages} images,
 *                          [image, window, head, N, N] row-major
 * @param attentionEntropy  layer after layer, per head: mean over images, windows and query tokens of
 *                          -sum_j p_ij log2 p_ij (bits)
 * @param quantizers        every quantizer after the probe pass (empty in full precision)
 * @param similarity        per layer, DGD's token similarities G = x x^T / ||x x^T||_F of the first probe image,
 *                          [tensor (q, k), window, head, N, N] row-major, from the q and k the attention uses (after
 *                          IRM and the quantizers for a student); empty when not recorded (sessions written before)
 */
public record ModelSnapshot(List<LayerGeometry> geometry, int attentionImages, List<HeadDistribution> distributions,
                            List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers,
                            List<float[]> similarity) {
    private static final int TENSORS = Tensor.values().length;
    private static final int STAGES = Stage.values().length;

    public ModelSnapshot {
        geometry = List.copyOf(geometry);
        int heads = geometry.stream().mapToInt(LayerGeometry::heads).sum();
        if (distributions.size() != heads * TENSORS * STAGES || attention.size() != geometry.size()
                || attentionEntropy.length != heads) {
            throw new IllegalArgumentException("snapshot arrays do not match the layers' heads");
        }
        for (int l = 0; l < geometry.size(); l++) {
            if (attention.get(l).length != attentionImages * geometry.get(l).attentionPerImage()) {
                throw new IllegalArgumentException("attention of layer " + l + " does not match [images, windows,"
                        + " heads, N, N]");
            }
            if (!similarity.isEmpty() && similarity.get(l).length != TENSORS * geometry.get(l).attentionPerImage()) {
                throw new IllegalArgumentException("similarity matrices do not match [2, windows, heads, N, N]");
            }
        }
        if (!similarity.isEmpty() && similarity.size() != geometry.size()) {
            throw new IllegalArgumentException("similarity matrices do not match the layers");
        }
        similarity = similarity.stream().map(float[]::clone).toList();
        distributions = List.copyOf(distributions);
        attention = attention.stream().map(float[]::clone).toList();
        attentionEntropy = attentionEntropy.clone();
        quantizers = List.copyOf(quantizers);
    }

    /** A ViT's snapshot: every layer {@code heads} heads over one window of {@code tokens} tokens, cls first. */
    public ModelSnapshot(int layers, int heads, int tokens, int attentionImages, List<HeadDistribution> distributions,
                         List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers,
                         List<float[]> similarity) {
        this(vit(layers, heads, tokens), attentionImages, distributions, attention, attentionEntropy, quantizers,
                similarity);
    }

    /** A ViT's snapshot without similarity matrices. */
    public ModelSnapshot(int layers, int heads, int tokens, int attentionImages, List<HeadDistribution> distributions,
                         List<float[]> attention, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {
        this(layers, heads, tokens, attentionImages, distributions, attention, attentionEntropy, quantizers, List.of());
    }

    /** A ViT's layers: "blocks.0", "blocks.1", ..., alike. */
    public static List<LayerGeometry> vit(int layers, int heads, int tokens) {
        return java.util.stream.IntStream.range(0, layers).mapToObj(l -> LayerGeometry.global(l, heads, tokens))
                .toList();
    }

    public int layers() {
        return geometry.size();
    }

    public LayerGeometry geometry(int layer) {
        return geometry.get(layer);
    }

    public int heads(int layer) {
        return geometry.get(layer).heads();
    }

    /** Heads of every layer, in order. */
    public int[] headsPerLayer() {
        return geometry.stream().mapToInt(LayerGeometry::heads).toArray();
    }

    /** The most heads of any layer (the width of a layer x head grid). */
    public int maxHeads() {
        return geometry.stream().mapToInt(LayerGeometry::heads).max().orElse(0);
    }

    /** Tokens per attention window of one layer. */
    public int tokens(int layer) {
        return geometry.get(layer).tokens();
    }

    /** Heads of the layers before this one: where its entries start in the per-head arrays. */
    private int headsBefore(int layer) {
        int at = 0;
        for (int l = 0; l < layer; l++) {
            at += geometry.get(l).heads();
        }
        return at;
    }

    private void checkHead(int layer, int head) {
        if (head < 0 || head >= heads(layer)) {
            throw new IndexOutOfBoundsException("layer " + layer + " has no head " + head);
        }
    }

    /** Position of one layer's head in the per-head arrays. */
    private int head(int layer, int head) {
        checkHead(layer, head);
        return headsBefore(layer) + head;
    }

    public HeadDistribution distribution(int layer, int head, Tensor tensor, Stage stage) {
        return distributions.get((head(layer, head) * TENSORS + tensor.ordinal()) * STAGES + stage.ordinal());
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
        return attentionEntropy[head(layer, head)];
    }

    /** The N x N attention matrix of one probe image, window and head, row-major. */
    public float[] attentionMap(int layer, int image, int window, int head) {
        LayerGeometry g = geometry.get(layer);
        int n = g.tokens();
        float[] out = new float[n * n];
        checkHead(layer, head);
        System.arraycopy(attention.get(layer), ((image * g.windows() + window) * g.heads() + head) * n * n, out, 0,
                out.length);
        return out;
    }

    /** The attention matrix of a one-window (ViT) layer. */
    public float[] attentionMap(int layer, int image, int head) {
        return attentionMap(layer, image, 0, head);
    }

    /** How much the cls token attends to each patch (row 0 without its cls column), patches row by row. */
    public float[] clsAttention(int layer, int image, int head) {
        if (!geometry.get(layer).hasClassToken()) {
            throw new IllegalStateException("layer " + layer + " has no cls token");
        }
        float[] map = attentionMap(layer, image, 0, head);
        float[] out = new float[tokens(layer) - 1];
        System.arraycopy(map, 1, out, 0, out.length);
        return out;
    }

    /**
     * The attention each patch of the layer's grid gets, row-major on the grid: from the cls token where there is
     * one (a ViT), otherwise the mean over the queries of its window (Swin, whose windows have no cls token).
     */
    public float[] attentionOverImage(int layer, int image, int head) {
        LayerGeometry g = geometry.get(layer);
        if (g.hasClassToken()) {
            return clsAttention(layer, image, head);
        }
        int n = g.tokens();
        float[] out = new float[g.gridSide() * g.gridSide()];
        for (int w = 0; w < g.windows(); w++) {
            float[] map = attentionMap(layer, image, w, head);
            for (int key = 0; key < n; key++) {
                double sum = 0;
                for (int query = 0; query < n; query++) {
                    sum += map[query * n + key];
                }
                out[g.patchOf(w, key)] = (float) (sum / n);
            }
        }
        return out;
    }

    @Override
    public List<float[]> similarity() {
        return similarity.stream().map(float[]::clone).toList();
    }

    public boolean hasSimilarity() {
        return !similarity.isEmpty();
    }

    /** DGD's N x N similarity matrix G of one tensor, window and head on the first probe image, row-major. */
    public float[] similarity(int layer, Tensor tensor, int window, int head) {
        if (similarity.isEmpty()) {
            throw new IllegalStateException("this snapshot has no similarity matrices");
        }
        LayerGeometry g = geometry.get(layer);
        int n = g.tokens();
        float[] out = new float[n * n];
        checkHead(layer, head);
        System.arraycopy(similarity.get(layer), ((tensor.ordinal() * g.windows() + window) * g.heads() + head) * n * n,
                out, 0, out.length);
        return out;
    }

    /** The similarity matrix of a one-window (ViT) layer. */
    public float[] similarity(int layer, Tensor tensor, int head) {
        return similarity(layer, tensor, 0, head);
    }

    public boolean quantized() {
        return !quantizers.isEmpty();
    }

    public Optional<QuantizerSnapshot> quantizer(String name) {
        return quantizers.stream().filter(q -> q.name().equals(name)).findFirst();
    }

    /** The quantizer of one layer's queries or keys (empty in full precision). */
    public Optional<QuantizerSnapshot> quantizer(int layer, Tensor tensor) {
        return quantizer(geometry.get(layer).quantizerName(tensor));
    }
}
