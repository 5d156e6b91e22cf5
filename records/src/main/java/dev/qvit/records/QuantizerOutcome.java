package dev.qvit.records;

/**
 * What a b-bit uniform quantizer with step s does to a set of values: its levels s·k for k in [Qn, Qp], how it uses
 * its codes (counts, clipped share, entropy) and the rounding error it leaves.
 *
 * @param mse    mean of (x - Q(x))^2
 * @param sqnrDb signal-to-quantization-noise ratio 10 log10(Σx² / Σ(x - Q(x))²); +∞ when nothing is lost
 */
public record QuantizerOutcome(int bits, boolean signed, double step, CodeUsage usage, double mse, double sqnrDb) {

    /** Lowest code Qn. */
    public int lowestCode() {
        return usage.lowestCode();
    }

    /** Highest code Qp. */
    public int highestCode() {
        return usage.lowestCode() + usage.counts().length - 1;
    }

    /** The value of code k: s·k. */
    public double level(int code) {
        return step * code;
    }
}
