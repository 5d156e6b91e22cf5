package dev.qvit.model.nn.fused;

/**
 * Exact GELU y = x Phi(x) in one pass each way, float32, with Phi from Abramowitz and Stegun 7.1.26 (erf to 1.5e-7,
 * below float32 resolution) and exp(-x^2/2) from {@link Exp}'s polynomial. With a clip c the output is
 * clamp(y, -c, c) and the gradient 0 where |y| &gt; c.
 * <pre>
 *   forward:  y = x * (0.5 + sign(x) (0.5 - Q(|x|))),  Q(a) = t (A0 + t (A1 + ... A4 t)) / 2 * exp(-a^2 / 2)
 *   backward: dx = dy * (Phi(x) + x exp(-x^2/2) / sqrt(2 pi))
 * </pre>
 * Implementations agree bit for bit.
 */
public interface GeluKernel {
    /** Rows of y written from rows of x; {@code clip} NaN for none. */
    void forward(FloatMemory x, FloatMemory y, int n, float clip);

    void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip);

    float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));
    float P = (float) (0.3275911 / Math.sqrt(2.0));                 // t = 1 / (1 + P |x|)
    /** A&S 7.1.26's a1..a5, halved: Q, not erfc. */
    float A0 = (float) (0.5 * 0.254829592);
    float A1 = (float) (0.5 * -0.284496736);
    float A2 = (float) (0.5 * 1.421413741);
    float A3 = (float) (0.5 * -1.453152027);
    float A4 = (float) (0.5 * 1.061405429);
}
