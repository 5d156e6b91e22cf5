package dev.qvit.model.snapshot;

/**
 * What one transformer block's attention saw on a probe batch, as plain row-major arrays.
 *
 * @param layer     block index
 * @param images    probe images B
 * @param heads     heads H
 * @param tokens    tokens N (cls first, then patches row by row)
 * @param headDim   d
 * @param query     raw queries [B, H, N, d]
 * @param key       raw keys [B, H, N, d]
 * @param attention softmax probabilities [B, H, N, N]
 */
public record LayerProbe(int layer, int images, int heads, int tokens, int headDim, float[] query, float[] key,
                         float[] attention) {

    public LayerProbe {
        long qk = (long) images * heads * tokens * headDim;
        if (query.length != qk || key.length != qk || attention.length != (long) images * heads * tokens * tokens) {
            throw new IllegalArgumentException("probe arrays do not match [B, H, N, d] / [B, H, N, N]");
        }
        query = query.clone();
        key = key.clone();
        attention = attention.clone();
    }

    @Override
    public float[] query() {
        return query.clone();
    }

    @Override
    public float[] key() {
        return key.clone();
    }

    @Override
    public float[] attention() {
        return attention.clone();
    }

    /** All queries of one head, over images, tokens and channels. */
    public float[] queryOfHead(int head) {
        return ofHead(query, head, tokens * headDim);
    }

    /** All keys of one head, over images, tokens and channels. */
    public float[] keyOfHead(int head) {
        return ofHead(key, head, tokens * headDim);
    }

    /** The N x N attention matrix of one image and head, row-major. */
    public float[] attentionMap(int image, int head) {
        float[] out = new float[tokens * tokens];
        System.arraycopy(attention, ((image * heads) + head) * tokens * tokens, out, 0, out.length);
        return out;
    }

    private float[] ofHead(float[] values, int head, int perHead) {
        float[] out = new float[images * perHead];
        for (int b = 0; b < images; b++) {
            System.arraycopy(values, (b * heads + head) * perHead, out, b * perHead, perHead);
        }
        return out;
    }
}
