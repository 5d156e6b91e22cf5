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

    // the clipped and unclipped loops are separate methods: on JDK 17 a loop with both paths, once both have run,
    // sometimes recompiled with its vectors boxed (allocating on every call); see also backwardClippedBody
    @Override
    public void forward(FloatMemory x, FloatMemory y, int n, float clip) {
        int body = n - n % L;
        if (Float.isNaN(clip)) {
            forwardBody(x, y, body);
        } else {
            forwardClippedBody(x, y, body, clip);
        }
        ScalarGelu.forward(x, y, body, n, clip);
    }

    @Override
    public void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip) {
        int body = n - n % L;
        if (Float.isNaN(clip)) {
            backwardBody(x, dy, dx, body);
        } else {
            backwardClippedBody(x, dy, dx, body, clip);
        }
        ScalarGelu.backward(x, dy, dx, body, n, clip);
    }

    private static void forwardBody(FloatMemory x, FloatMemory y, int body) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            v.mul(cdf(v, gauss(v))).intoByteBuffer(y.bytes(), y.base() + at, LE);
        }
    }

    private static void forwardClippedBody(FloatMemory x, FloatMemory y, int body, float clip) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            v.mul(cdf(v, gauss(v))).min(clip).max(-clip).intoByteBuffer(y.bytes(), y.base() + at, LE);
        }
    }

    private static void backwardBody(FloatMemory x, FloatMemory dy, FloatMemory dx, int body) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector g = gauss(v);
            FloatVector cdf = cdf(v, g);
            FloatVector upstream = FloatVector.fromByteBuffer(SPECIES, dy.bytes(), dy.base() + at, LE);
            v.mul(g).mul(INV_SQRT_2PI).add(cdf).mul(upstream).intoByteBuffer(dx.bytes(), dx.base() + at, LE);
        }
    }

    /**
     * As backwardBody, the gradient zeroed where the output was clipped. gauss, cdf and exp are written out: a vector
     * passed to a method C2 did not inline is boxed, and in this, the largest GELU loop, it sometimes did not.
     */
    private static void backwardClippedBody(FloatMemory x, FloatMemory dy, FloatMemory dx, int body, float clip) {
        for (int i = 0; i < body; i += L) {
            int at = i * Float.BYTES;
            FloatVector v = FloatVector.fromByteBuffer(SPECIES, x.bytes(), x.base() + at, LE);
            FloatVector r = v.mul(v).mul(-0.5f).max(Exp.FLOOR);                          // VectorExp.exp
            FloatVector k = r.mul(Exp.LOG2E).add(LsqKernel.MAGIC).sub(LsqKernel.MAGIC);
            FloatVector f = r.sub(k.mul(Exp.LN2_HI)).sub(k.mul(Exp.LN2_LO));
            FloatVector z = f.mul(f);
            FloatVector p = f.mul(Exp.E0).add(Exp.E1).mul(f).add(Exp.E2).mul(f).add(Exp.E3).mul(f).add(Exp.E4).mul(f)
                    .add(Exp.E5).mul(z).add(f).add(1f);
            FloatVector g = p.mul(k.add(Exp.EXPONENT_MAGIC).reinterpretAsInts().sub(Exp.EXPONENT_BITS)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(v.abs().mul(P).add(1f));   // cdf
            FloatVector q = t.mul(A4).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t).add(A0).mul(t).mul(g);
            FloatVector sign = FloatVector.zero(SPECIES).blend(1f, v.compare(VectorOperators.GT, 0f))
                    .blend(-1f, v.compare(VectorOperators.LT, 0f));
            FloatVector cdf = sign.mul(FloatVector.broadcast(SPECIES, 0.5f).sub(q)).add(0.5f);
            FloatVector upstream = FloatVector.fromByteBuffer(SPECIES, dy.bytes(), dy.base() + at, LE);
            FloatVector d = v.mul(g).mul(INV_SQRT_2PI).add(cdf).mul(upstream);
            d.blend(0f, v.mul(cdf).abs().compare(VectorOperators.GT, clip)).intoByteBuffer(dx.bytes(), dx.base() + at, LE);
        }
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
