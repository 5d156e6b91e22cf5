package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The float32 facts the vector GELU's clip rests on. */
class GeluClipTest {
    @Test
    void float32PhiIsOneExactlyFromSixOnSoAClipOfSixOrMoreIsAClipOfTheInput() {
        // every float in [6, 1e4]; beyond, t and exp(-x^2/2) (at its floor exp(-87)) only shrink Q further
        int mismatches = 0;
        for (int bits = Float.floatToIntBits(VectorGelu.IDENTITY_FROM);
                bits <= Float.floatToIntBits(1e4f); bits++) {
            float x = Float.intBitsToFloat(bits);
            if (phi(x) != 1f) {
                mismatches++;
            }
        }
        assertThat(mismatches).isZero();
        for (float x : new float[] {1e5f, 1e20f, Float.MAX_VALUE}) {
            assertThat(phi(x)).isEqualTo(1f);
        }
        // below 6, |gelu(x)| < 6: Phi <= 1 for x >= 0, and |x Phi(x)| stays small for x < 0 (sampled to -1e30)
        float largest = 0f;
        for (float x = -1e30f; x < 6f; x = x < -1f ? x * 0.999f : x + 1e-4f) {
            largest = Math.max(largest, Math.abs(x * phi(x)));
        }
        assertThat(largest).isLessThan(6f);
    }

    private static float phi(float x) {
        return ScalarGelu.cdf(x, ScalarGelu.gauss(x));
    }
}
