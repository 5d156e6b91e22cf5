package dev.qvit.model.nn.fused;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link GeluKernel} with the Vector API, on ND4J's native memory; the same arithmetic as {@link ScalarGelu}. */
final class VectorGelu implements GeluKernel {
    private static final VectorSpecies<Float> SPECIES = VectorLsq.SPECIES;
    private static final int L = SPECIES.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Override
    public void forward(FloatMemory x, FloatMemory y, int n, float clip) {
        int body = n - n % L;
        boolean clipped = !Float.isNaN(clip);
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector out = v.mul(cdf(v, gauss(v)));
            if (clipped) {
                out = out.min(clip).max(-clip);
            }
            out.intoByteBuffer(y.bytes(), y.base() + at, LE);
        }
        ScalarGelu.forward(x, y, body, n, clip);
    }

    @Override
    public void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip) {
        int body = n - n % L;
        boolean clipped = !Float.isNaN(clip);
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector g = gauss(v);
            FloatVector cdf = cdf(v, g);
            FloatVector upstream = FloatVector.fromByteBuffer(SPECIES, dy.bytes(), dy.base() + at, LE);
            FloatVector d = v.mul(g).mul(INV_SQRT_2PI).add(cdf).mul(upstream);
            if (clipped) {
                d = d.blend(0f, v.mul(cdf).abs().compare(VectorOperators.GT, clip));
            }
            d.intoByteBuffer(dx.bytes(), dx.base() + at, LE);
        }
        ScalarGelu.backward(x, dy, dx, body, n, clip);
    }

    /** exp(-x^2/2), as {@link ScalarGelu#gauss}. */
    private static FloatVector gauss(FloatVector x) {
        return VectorExp.exp(x.mul(x).mul(-0.5f));
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
