package dev.qvit.model.nn.fused;

/**
 * exp(r) for r &lt;= 0 from basic arithmetic only (Cephes' expf polynomial, relative error ~1e-7; r floored at -87),
 * never a library or intrinsic exp, which rounds differently compiled and interpreted: a run's numbers must not
 * depend on when the JIT got to a loop. The vector form is in {@link VectorExp}.
 */
final class Exp {
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float E0 = 1.9875691500e-4f;
    static final float E1 = 1.3981999507e-3f;
    static final float E2 = 8.3334519073e-3f;
    static final float E3 = 4.1665795894e-2f;
    static final float E4 = 1.6666665459e-1f;
    static final float E5 = 5.0000001201e-1f;
    static final float FLOOR = -87f;
    /** k + 127 + 2^23 has the bits EXPONENT_BITS + k + 127 for integral k in [-126, 0]. */
    static final float EXPONENT_MAGIC = 127f + 8388608f;
    static final int EXPONENT_BITS = 0x4B000000;

    private Exp() {
    }

    /** 2^k p(f) with k = round(r / ln 2), f = r - k ln 2. */
    static float exp(float r) {
        float x = Math.max(r, FLOOR);
        float k = (x * LOG2E + LsqKernel.MAGIC) - LsqKernel.MAGIC;
        float f = x - k * LN2_HI - k * LN2_LO;
        float z = f * f;
        float p = (((((E0 * f + E1) * f + E2) * f + E3) * f + E4) * f + E5) * z + f + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(k + EXPONENT_MAGIC) - EXPONENT_BITS) << 23);
    }
}
