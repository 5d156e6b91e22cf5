package dev.qvit.records;

/**
 * What one transformer block's attention saw on a probe batch, as plain row-major arrays. For a quantized
 * student the queries and keys are also given after IRM ("rectified", equal to raw without IRM) and after their
 * quantizers ("quantized", what the scores use); for a full-precision model those arrays are empty.
 *
 * @param layer     block index
 * @param images    probe images B
 * @param heads     heads H
 * @param tokens    tokens N (cls first, then patches row by row)
 * @param headDim   d
 * @param query     raw queries [B, H, N, d]
 * @param key       raw keys [B, H, N, d]
 * @param attention softmax probabilities [B, H, N, N] (before their quantizer)
 */
public record LayerProbe(int layer, int images, int heads, int tokens, int headDim, float[] query, float[] key,
                         float[] attention, float[] rectifiedQuery, float[] rectifiedKey, float[] quantizedQuery,
                         float[] quantizedKey, float[] quantizedAttention) {

    public LayerProbe {
        long qk = (long) images * heads * tokens * headDim;
        if (query.length != qk || key.length != qk || attention.length != (long) images * heads * tokens * tokens) {
            throw new IllegalArgumentException("probe arrays do not match [B, H, N, d] / [B, H, N, N]");
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

    /** A full-precision probe. */
    public LayerProbe(int layer, int images, int heads, int tokens, int headDim, float[] query, float[] key,
                      float[] attention) {
        this(layer, images, heads, tokens, headDim, query, key, attention, new float[0], new float[0], new float[0],
                new float[0], new float[0]);
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

    /** The attention probabilities of the first {@code count} images only, [count, H, N, N] flat. */
    public float[] attentionOfFirstImages(int count) {
        return java.util.Arrays.copyOf(attention, Math.min(count, images) * heads * tokens * tokens);
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

    /** All queries of one head at a stage, over images, tokens and channels. */
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

    /** The N x N attention matrix of one image and head, row-major (before quantization). */
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
