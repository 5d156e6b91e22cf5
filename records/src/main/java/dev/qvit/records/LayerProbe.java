package dev.qvit.records;

/**
 * What one transformer block's attention saw on a probe batch, as plain row-major arrays. For a quantized
 * student the queries and keys are also given after IRM ("rectified", equal to raw without IRM) and after their
 * quantizers ("quantized", what the scores use); for a full-precision model those arrays are empty.
 *
 * @param layer     block index
 * @param images    probe images B
 * @param windows   attention windows W per image (1: global attention; Swin's windows, in the order its
 *                  window partition gives them)
 * @param heads     heads H
 * @param tokens    tokens N per window (a ViT's cls first, then patches row by row)
 * @param headDim   d
 * @param query     raw queries [B, W, H, N, d]
 * @param key       raw keys [B, W, H, N, d]
 * @param attention softmax probabilities [B, W, H, N, N] (before their quantizer)
 */
public record LayerProbe(int layer, int images, int windows, int heads, int tokens, int headDim, float[] query,
                         float[] key, float[] attention, float[] rectifiedQuery, float[] rectifiedKey,
                         float[] quantizedQuery, float[] quantizedKey, float[] quantizedAttention) {

    public LayerProbe {
        long batch = (long) images * windows;
        long qk = batch * heads * tokens * headDim;
        if (windows < 1 || query.length != qk || key.length != qk
                || attention.length != batch * heads * tokens * tokens) {
            throw new IllegalArgumentException("probe arrays do not match [B, W, H, N, d] / [B, W, H, N, N]");
        }
        query = query.clone();
        key = key.clone();
        attention = attention.clone();
        rectifiedQuery = rectifiedQuery.clone();
        rectifiedKey = rectifiedKey.clone();
        quantizedQuery = quantizedQuery.clone();
        quantizedKey = quantizedKey.clone();
        quantizedAttention = quantizedAttention.clone();
    }

    /** A quantized probe of global attention (one window). */
    public LayerProbe(int layer, int images, int heads, int tokens, int headDim, float[] query, float[] key,
                      float[] attention, float[] rectifiedQuery, float[] rectifiedKey, float[] quantizedQuery,
                      float[] quantizedKey, float[] quantizedAttention) {
        this(layer, images, 1, heads, tokens, headDim, query, key, attention, rectifiedQuery, rectifiedKey,
                quantizedQuery, quantizedKey, quantizedAttention);
    }

    /** A full-precision probe of global attention. */
    public LayerProbe(int layer, int images, int heads, int tokens, int headDim, float[] query, float[] key,
                      float[] attention) {
        this(layer, images, 1, heads, tokens, headDim, query, key, attention);
    }

    /** A full-precision probe. */
    public LayerProbe(int layer, int images, int windows, int heads, int tokens, int headDim, float[] query,
                      float[] key, float[] attention) {
        this(layer, images, windows, heads, tokens, headDim, query, key, attention, new float[0], new float[0],
                new float[0], new float[0], new float[0]);
    }

    public boolean quantized() {
        return quantizedQuery.length > 0;
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

    /** The attention probabilities of the first {@code count} images only, [count, W, H, N, N] flat. */
    public float[] attentionOfFirstImages(int count) {
        return java.util.Arrays.copyOf(attention, Math.min(count, images) * windows * heads * tokens * tokens);
    }

    @Override
    public float[] rectifiedQuery() {
        return rectifiedQuery.clone();
    }

    @Override
    public float[] rectifiedKey() {
        return rectifiedKey.clone();
    }

    @Override
    public float[] quantizedQuery() {
        return quantizedQuery.clone();
    }

    @Override
    public float[] quantizedKey() {
        return quantizedKey.clone();
    }

    @Override
    public float[] quantizedAttention() {
        return quantizedAttention.clone();
    }

    /** Where in the pipeline a query/key value is taken. */
    public enum Stage { RAW, RECTIFIED, QUANTIZED }

    /** All queries of one head at a stage, over images, windows, tokens and channels. */
    public float[] queryOfHead(int head, Stage stage) {
        return ofHead(switch (stage) {
            case RAW -> query;
            case RECTIFIED -> quantized() ? rectifiedQuery : query;
            case QUANTIZED -> quantized() ? quantizedQuery : query;
        }, head, tokens * headDim);
    }

    /** All keys of one head at a stage. */
    public float[] keyOfHead(int head, Stage stage) {
        return ofHead(switch (stage) {
            case RAW -> key;
            case RECTIFIED -> quantized() ? rectifiedKey : key;
            case QUANTIZED -> quantized() ? quantizedKey : key;
        }, head, tokens * headDim);
    }

    /** All raw queries of one head. */
    public float[] queryOfHead(int head) {
        return queryOfHead(head, Stage.RAW);
    }

    /** All raw keys of one head. */
    public float[] keyOfHead(int head) {
        return keyOfHead(head, Stage.RAW);
    }

    /** Every query of the layer at a stage (all heads), as Fig. 1 of the paper pools them. */
    public float[] allQueries(Stage stage) {
        return switch (stage) {
            case RAW -> query.clone();
            case RECTIFIED -> quantized() ? rectifiedQuery.clone() : query.clone();
            case QUANTIZED -> quantized() ? quantizedQuery.clone() : query.clone();
        };
    }

    /** The N x N attention matrix of one image, window and head, row-major (before quantization). */
    public float[] attentionMap(int image, int window, int head) {
        float[] out = new float[tokens * tokens];
        System.arraycopy(attention, ((image * windows + window) * heads + head) * tokens * tokens, out, 0, out.length);
        return out;
    }

    /** The attention matrix of one image and head of global attention (one window). */
    public float[] attentionMap(int image, int head) {
        return attentionMap(image, 0, head);
    }

    private float[] ofHead(float[] values, int head, int perHead) {
        int batch = images * windows;
        float[] out = new float[batch * perHead];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(values, (b * heads + head) * perHead, out, b * perHead, perHead);
        }
        return out;
    }
}
