package dev.qvit.records;

/**
 * DGD loss of one step per layer and head (method doc 5): mean over images of ||G_T - G_S||_F for the queries
 * and for the keys, row-major [layer][head].
 */
public record DistillationLoss(int layers, int heads, double[] query, double[] key) {

    public DistillationLoss {
        if (query.length != layers * heads || key.length != layers * heads) {
            throw new IllegalArgumentException("distillation arrays must have layers x heads entries");
        }
        query = query.clone();
        key = key.clone();
    }

    @Override
    public double[] query() {
        return query.clone();
    }

    @Override
    public double[] key() {
        return key.clone();
    }

    /** Query plus key term of one layer and head. */
    public double of(int layer, int head) {
        return query[layer * heads + head] + key[layer * heads + head];
    }

    /** Sum over heads and {q, k} of one layer. */
    public double ofLayer(int layer) {
        double s = 0;
        for (int h = 0; h < heads; h++) {
            s += of(layer, h);
        }
        return s;
    }

    /** L_DGD: the sum over layers, heads and {q, k}. */
    public double total() {
        double s = 0;
        for (int l = 0; l < layers; l++) {
            s += ofLayer(l);
        }
        return s;
    }
}
