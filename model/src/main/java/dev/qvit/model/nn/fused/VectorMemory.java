package dev.qvit.model.nn.fused;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vectors of {@link VectorLsq#SPECIES} read from and written to a {@link FloatMemory} at an element index. */
final class VectorMemory {
    static final VectorSpecies<Float> SPECIES = VectorLsq.SPECIES;
    static final int L = SPECIES.length();
    /**
     * One vector holds a run's {@link LsqKernel#PARTIALS} partial sums (512-bit vectors): the sums stay in a register
     * instead of a load and store of the partials array per vector, about twice as fast in a reduction. Shorter
     * vectors keep the array (partial j % PARTIALS in the same order either way).
     */
    static final boolean IN_REGISTER = L == LsqKernel.PARTIALS;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorMemory() {
    }

    static FloatVector load(FloatMemory m, int i) {
        return FloatVector.fromByteBuffer(SPECIES, m.bytes(), m.base() + i * Float.BYTES, LE);
    }

    static void store(FloatVector v, FloatMemory m, int i) {
        v.intoByteBuffer(m.bytes(), m.base() + i * Float.BYTES, LE);
    }
}
