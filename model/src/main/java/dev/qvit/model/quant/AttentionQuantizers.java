package dev.qvit.model.quant;

import dev.qvit.model.nn.ParameterSet;

/**
 * What the fully quantized attention adds to a block (method doc sections 3, 4): optional IRM on q and k, and
 * per-head LSQ quantizers of q, k, v (signed) and of the softmax output A (unsigned), all at b bits.
 *
 * @param queryRectification IRM of the queries, or null
 * @param keyRectification   IRM of the keys, or null
 */
public record AttentionQuantizers(InformationRectification queryRectification,
                                  InformationRectification keyRectification, LsqQuantizer query, LsqQuantizer key,
                                  LsqQuantizer value, LsqQuantizer attention) {

    /** Declares the quantizers (and IRM) of one attention module named {@code name}. */
    public static AttentionQuantizers create(ParameterSet params, String name, QuantizationConfig config, int heads,
                                             int headDim) {
        InformationRectification q = rectification(params, name + ".norm_q", config, heads, headDim);
        InformationRectification k = rectification(params, name + ".norm_k", config, heads, headDim);
        int b = config.bits();
        return new AttentionQuantizers(q, k,
                LsqQuantizer.forActivation(params, name + ".q_quant", b, heads, 1),
                LsqQuantizer.forActivation(params, name + ".k_quant", b, heads, 1),
                LsqQuantizer.forActivation(params, name + ".v_quant", b, heads, 1),
                LsqQuantizer.forActivation(params, name + ".attn_quant", b, heads, 1));
    }

    private static InformationRectification rectification(ParameterSet params, String name, QuantizationConfig config,
                                                          int heads, int headDim) {
        return switch (config.rectification()) {
            case NONE -> null;
            case TOKEN -> new TokenRectification(params, name, headDim);
            case DISTRIBUTION -> new DistributionRectification(params, name, heads);
        };
    }

    /** The IRM modules of q and k that are present (none without IRM). */
    public java.util.List<InformationRectification> rectifications() {
        return java.util.stream.Stream.of(queryRectification, keyRectification)
                .filter(java.util.Objects::nonNull).toList();
    }

    /** IRM parameters start as the identity-like defaults (token form: gamma 1, beta 0). */
    public void initRectification() {
        if (queryRectification instanceof TokenRectification t) {
            t.init();
        }
        if (keyRectification instanceof TokenRectification t) {
            t.init();
        }
    }
}
