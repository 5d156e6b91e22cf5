package dev.qvit.model.quant;

/**
 * Integer range of a b-bit quantizer (method doc section 2.1): signed [-2^(b-1), 2^(b-1) - 1], unsigned
 * [0, 2^b - 1].
 */
public record BitWidth(int bits, boolean signed) {

    public BitWidth {
        if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 2, 3, 4 or 8, got " + bits);
        }
    }

    /** Lowest code Qn. */
    public int qn() {
        return signed ? -(1 << (bits - 1)) : 0;
    }

    /** Highest code Qp. */
    public int qp() {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    public int levels() {
        return 1 << bits;
    }
}
