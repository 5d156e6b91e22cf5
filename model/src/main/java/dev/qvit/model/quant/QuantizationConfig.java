package dev.qvit.model.quant;

import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the student is quantized (method doc section 3): {@code bits} for every block (weights, inputs of the
 * linear layers, q, k, v and the attention probabilities), {@code embeddingBits} for the patch embedding and the
 * head, and which form of IRM rectifies q and k before their quantizers.
 */
public record QuantizationConfig(int bits, Rectification rectification, int embeddingBits) {

    /** IRM off, the official code's per-token form, or the paper's per-head distribution form (method doc 4). */
    public enum Rectification {
        NONE, TOKEN, DISTRIBUTION;

        public static Rectification parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("IRM form must be token or distribution, got '" + text + "'");
            }
        }
    }

    /** The bit widths a student may use. */
    public static final java.util.List<Integer> SUPPORTED_BITS = java.util.List.of(2, 3, 4, 8);

    public QuantizationConfig {
        if (rectification == null) {
            throw new IllegalArgumentException("rectification must be NONE, TOKEN or DISTRIBUTION");
        }
    }

    /** Setting name (bits, embeddingBits) -> what is wrong with it; empty when a student can be built. */
    public Map<String, String> problems() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!SUPPORTED_BITS.contains(bits)) {
            p.put("bits", "bits must be 2, 3, 4 or 8, got " + bits);
        }
        if (!SUPPORTED_BITS.contains(embeddingBits)) {
            p.put("embeddingBits", "the patch embedding and head bits must be 2, 3, 4 or 8, got " + embeddingBits);
        }
        return p;
    }

    /** @throws IllegalArgumentException naming every problem */
    public QuantizationConfig requireValid() {
        if (!problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems().values()));
        }
        return this;
    }

    /** IRM on q and k, in either form. */
    public boolean rectified() {
        return rectification != Rectification.NONE;
    }

    public static QuantizationConfig of(int bits, Rectification rectification) {
        return new QuantizationConfig(bits, rectification, 8);
    }

    /** A dense layer of a block: full precision when {@code quantization} is null. */
    public static DenseLayer dense(QuantizationConfig quantization, ParameterSet params, String name, int in, int out) {
        return dense(quantization, params, name, in, out, true);
    }

    /** As {@link #dense(QuantizationConfig, ParameterSet, String, int, int)}, with or without a bias. */
    public static DenseLayer dense(QuantizationConfig quantization, ParameterSet params, String name, int in, int out,
                                   boolean hasBias) {
        return quantization == null ? new Linear(params, name, in, out, hasBias)
                : new QuantizedLinear(params, name, in, out, quantization.bits(), true, hasBias);
    }
}
