package dev.qvit.records;

/** The two attention inputs whose distribution Q-ViT rectifies and distils. */
public enum Tensor {
    QUERY("q"), KEY("k");

    private final String symbol;

    Tensor(String symbol) {
        this.symbol = symbol;
    }

    /** "q" or "k". */
    public String symbol() {
        return symbol;
    }

    /** Name of this tensor's quantizer in block {@code layer}, e.g. "blocks.0.attn.q_quant". */
    public String quantizerName(int layer) {
        return "blocks." + layer + ".attn." + symbol + "_quant";
    }
}
