package dev.qvit.model.nn.fused;

/** {@link GeluKernel} as plain loops: the fallback, and the vector kernel's tails. */
final class ScalarGelu implements GeluKernel {

    @Override
    public void forward(FloatMemory x, FloatMemory y, int n, float clip) {
        forward(x, y, 0, n, clip);
    }

    @Override
    public void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip) {
        backward(x, dy, dx, 0, n, clip);
    }

    static void forward(FloatMemory x, FloatMemory y, int from, int to, float clip) {
        boolean clipped = !Float.isNaN(clip);
        for (int i = from; i < to; i++) {
            float v = x.get(i);
            float out = v * cdf(v, gauss(v));
            y.put(i, clipped ? Math.max(Math.min(out, clip), -clip) : out);
        }
    }

    static void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int from, int to, float clip) {
        boolean clipped = !Float.isNaN(clip);
        for (int i = from; i < to; i++) {
            float v = x.get(i);
            float g = gauss(v);
            float cdf = cdf(v, g);
            float d = (v * g * INV_SQRT_2PI + cdf) * dy.get(i);
            dx.put(i, clipped && Math.abs(v * cdf) > clip ? 0f : d);
        }
    }

    /** exp(-x^2/2). */
    static float gauss(float x) {
        return Exp.exp(x * x * -0.5f);
    }

    /** Phi(x) given exp(-x^2/2). */
    static float cdf(float x, float gauss) {
        float t = 1f / (1f + P * Math.abs(x));
        float q = ((((A4 * t + A3) * t + A2) * t + A1) * t + A0) * t * gauss;
        return Math.signum(x) * (0.5f - q) + 0.5f;
    }
}
