package dev.qvit.model.nn.fused;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GeluKernel} with the Vector API, on ND4J's native memory; the same arithmetic as {@link ScalarGelu}.
 *
 * <p>Each direction is two short loops, exp(-x^2/2) first, then the rest, and one loop serves clipped and
 * unclipped GELU. Why short: C2 stops inlining our own methods (the Vector API's are force-inlined) once a
 * compilation has made 18,000 nodes (NodeCountInliningCutoff), and a helper left a call boxes the vectors it is
 * given: GELU in one loop each way, the exp, the CDF and their loads, went past it, and its {@code cdf} allocated
 * 230 KB per call. Each loop calls one helper of ours, early, and is compiled on its own ({@link LoopCompilation}).
 */
final class VectorGelu implements GeluKernel {
    private static final VectorSpecies<Float> SPECIES = VectorLsq.SPECIES;
    private static final int L = SPECIES.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /**
     * From here on Phi(x) is 1f exactly ({@code GeluClipTest} checks every float up to 1e4), so gelu(x) = x,
     * and for a clip c at least this, |gelu(x)| &gt; c exactly where x &gt; c (below it gelu(x) &lt; 6).
     */
    static final float IDENTITY_FROM = 6f;

    @Override
    public void forward(FloatMemory x, FloatMemory y, int n, float clip) {
        int body = n - n % L;
        float c = Float.isNaN(clip) ? Float.POSITIVE_INFINITY : clip;
        gaussBody(x, y, body);
        forwardBody(x, y, body, c);
        ScalarGelu.forward(x, y, body, n, clip);
    }

    @Override
    public void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip) {
        if (clip < IDENTITY_FROM) {
            ScalarGelu.backward(x, dy, dx, 0, n, clip);                // a clip no model of ours uses
            return;
        }
        int body = n - n % L;
        float c = Float.isNaN(clip) ? Float.POSITIVE_INFINITY : clip;
        gaussBody(x, dx, body);
        backwardBody(x, dy, dx, body, c);
        ScalarGelu.backward(x, dy, dx, body, n, clip);
    }

    /** out = exp(-x^2/2), as {@link ScalarGelu#gauss}. */
    private static void gaussBody(FloatMemory x, FloatMemory out, int body) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            VectorExp.exp(v.mul(v).mul(-0.5f)).intoByteBuffer(out.bytes(), out.base() + at, LE);
        }
    }

    /** y = clamp(x Phi(x), -c, c), y holding exp(-x^2/2) on entry. */
    private static void forwardBody(FloatMemory x, FloatMemory y, int body, float c) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector phi = cdf(v, FloatVector.fromByteBuffer(SPECIES, y.bytes(), y.base() + at, LE));
            v.mul(phi).min(c).max(-c).intoByteBuffer(y.bytes(), y.base() + at, LE);
        }
    }

    /** dx = dy (Phi(x) + x phi(x)), 0 where x &gt; c; dx holding exp(-x^2/2) on entry. */
    private static void backwardBody(FloatMemory x, FloatMemory dy, FloatMemory dx, int body, float c) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector g = FloatVector.fromByteBuffer(SPECIES, dx.bytes(), dx.base() + at, LE);
            FloatVector phi = cdf(v, g);
            FloatVector upstream = FloatVector.fromByteBuffer(SPECIES, dy.bytes(), dy.base() + at, LE);
            v.mul(g).mul(INV_SQRT_2PI).add(phi).mul(upstream)
                    .blend(0f, v.compare(VectorOperators.GT, c))
                    .intoByteBuffer(dx.bytes(), dx.base() + at, LE);
        }
    }

    /** Phi(x) given exp(-x^2/2), as {@link ScalarGelu#cdf}. */
    private static FloatVector cdf(FloatVector x, FloatVector gauss) {
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(x.abs().mul(P).add(1f));
        FloatVector q = t.mul(A4).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t).add(A0).mul(t).mul(gauss);
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        VectorMask<Float> positive = x.compare(VectorOperators.GT, 0f);
        FloatVector sign = FloatVector.zero(SPECIES).blend(1f, positive).blend(-1f, negative);
        return sign.mul(FloatVector.broadcast(SPECIES, 0.5f).sub(q)).add(0.5f);
    }
}
