package dev.qvit.model.nn.fused;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Exp#exp} lane by lane, the same operations in the same order. */
final class VectorExp {
    private VectorExp() {
    }

    static FloatVector exp(FloatVector r) {
        FloatVector x = r.max(Exp.FLOOR);
        FloatVector k = x.mul(Exp.LOG2E).add(LsqKernel.MAGIC).sub(LsqKernel.MAGIC);
        FloatVector f = x.sub(k.mul(Exp.LN2_HI)).sub(k.mul(Exp.LN2_LO));
        FloatVector z = f.mul(f);
        FloatVector p = f.mul(Exp.E0).add(Exp.E1).mul(f).add(Exp.E2).mul(f).add(Exp.E3).mul(f).add(Exp.E4).mul(f)
                .add(Exp.E5).mul(z).add(f).add(1f);
        // 2^k from the bits of k + 127 + 2^23 (exact: an integer below 2^24); JDK 17 does not compile convert(F2I)
        FloatVector scale = k.add(Exp.EXPONENT_MAGIC).reinterpretAsInts().sub(Exp.EXPONENT_BITS)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }
}
