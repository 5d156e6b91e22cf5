package dev.qvit.records;

import java.util.Arrays;

/**
 * DGD loss of one step per layer and head (method doc 5): mean over images of ||G_T - G_S||_F for the queries
 * and for the keys (a windowed model's windows counted as images are), layer after layer, each layer's heads in order.
 * Layers may differ in heads (Swin's stages).
 */
public record DistillationLoss(int[] headsPerLayer, double[] query, double[] key) {
    public DistillationLoss {
        int entries = Arrays.stream(headsPerLayer).sum();
        if (Arrays.stream(headsPerLayer).anyMatch(h -> h < 0) || query.length != entries || key.length != entries) {
            throw new IllegalArgumentException("distillation arrays must have an entry per layer and head");
        }
        headsPerLayer = headsPerLayer.clone();
        query = query.clone();
        key = key.clone();
    }

    /** Every layer with the same number of heads, row-major [layer][head]. */
    public DistillationLoss(int layers, int heads, double[] query, double[] key) {
        this(uniform(layers, heads), query, key);
    }

    private static int[] uniform(int layers, int heads) {
        int[] h = new int[Math.max(0, layers)];
        Arrays.fill(h, heads);
        return h;
    }

    @Override
    public int[] headsPerLayer() {
        return headsPerLayer.clone();
    }

    @Override
    public double[] query() {
        return query.clone();
    }

    @Override
    public double[] key() {
        return key.clone();
    }

    public int layers() {
        return headsPerLayer.length;
    }

    public int heads(int layer) {
        return headsPerLayer[layer];
    }

    /** The most heads of any layer (the width of a layer x head grid). */
    public int maxHeads() {
        return Arrays.stream(headsPerLayer).max().orElse(0);
    }

    /** Position of one layer and head in {@link #query()} and {@link #key()}. */
    public int index(int layer, int head) {
        if (head < 0 || head >= headsPerLayer[layer]) {
            throw new IndexOutOfBoundsException("layer " + layer + " has no head " + head);
        }
        int at = 0;
        for (int l = 0; l < layer; l++) {
            at += headsPerLayer[l];
        }
        return at + head;
    }

    public double query(int layer, int head) {
        return query[index(layer, head)];
    }

    public double key(int layer, int head) {
        return key[index(layer, head)];
    }

    /** Query plus key term of one layer and head. */
    public double of(int layer, int head) {
        int i = index(layer, head);
        return query[i] + key[i];
    }

    /** Sum over heads and {q, k} of one layer. */
    public double ofLayer(int layer) {
        double s = 0;
        for (int h = 0; h < headsPerLayer[layer]; h++) {
            s += of(layer, h);
        }
        return s;
    }

    /** L_DGD: the sum over layers, heads and {q, k}. */
    public double total() {
        double s = 0;
        for (int l = 0; l < layers(); l++) {
            s += ofLayer(l);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistillationLoss d && Arrays.equals(headsPerLayer, d.headsPerLayer)
                && Arrays.equals(query, d.query) && Arrays.equals(key, d.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(headsPerLayer) * 31 * 31 + Arrays.hashCode(query) * 31 + Arrays.hashCode(key);
    }
}
