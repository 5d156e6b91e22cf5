package dev.qvit.model.nn.fused;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LsqKernel} with the incubating Vector API, reading and writing ND4J's native memory in place. Two layouts:
 * channel last (inner 1; the step and zero point are loaded as vectors along the row) and channel as a run of
 * {@code inner} contiguous elements (one step broadcast over the run). Loaded only when {@code jdk.incubator.vector}
 * is present.
 */
final class VectorLsq implements LsqKernel {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.length() > PARTIALS
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private final float[] partials = new float[PARTIALS];
    private final float[] zeroPartials = new float[PARTIALS];
    private final float[] tailStep = new float[1];
    private final float[] tailZero = new float[1];

    @Override
    public void forward(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out) {
        if (p.inner == 1) {
            forwardChannelLast(x, p, v, out);
        } else {
            forwardChannelRuns(x, p, v, out);
        }
    }

    private static void forwardChannelLast(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out) {
        ByteBuffer xb = x.bytes();
        ByteBuffer vb = v.bytes();
        ByteBuffer ob = out.bytes();
        int c = p.channels;
        int body = c - c % L;
        FloatVector qn = FloatVector.broadcast(SPECIES, p.qn);
        FloatVector qp = FloatVector.broadcast(SPECIES, p.qp);
        FloatVector magic = FloatVector.broadcast(SPECIES, MAGIC);
        for (int r = 0; r < p.outer; r++) {
            int row = r * c;
            for (int k = 0; k < body; k += L) {
                int at = (row + k) * Float.BYTES;
                FloatVector s = FloatVector.fromArray(SPECIES, p.step, k);
                FloatVector scaled = FloatVector.fromByteBuffer(SPECIES, xb, x.base() + at, LE).div(s);
                FloatVector z = null;
                if (p.hasZero) {
                    z = FloatVector.fromArray(SPECIES, p.zero, k);
                    scaled = scaled.add(z);
                }
                scaled.intoByteBuffer(vb, v.base() + at, LE);
                FloatVector rounded = scaled.max(qn).min(qp).add(magic).sub(magic);
                (p.hasZero ? rounded.sub(z).mul(s) : rounded.mul(s)).intoByteBuffer(ob, out.base() + at, LE);
            }
            ScalarSteps.forward(x, p, v, out, row + body, row + c, body, 1);
        }
    }

    private static void forwardChannelRuns(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out) {
        ByteBuffer xb = x.bytes();
        ByteBuffer vb = v.bytes();
        ByteBuffer ob = out.bytes();
        int n = p.inner;
        int body = n - n % L;
        FloatVector qn = FloatVector.broadcast(SPECIES, p.qn);
        FloatVector qp = FloatVector.broadcast(SPECIES, p.qp);
        FloatVector magic = FloatVector.broadcast(SPECIES, MAGIC);
        for (int o = 0; o < p.outer; o++) {
            for (int ch = 0; ch < p.channels; ch++) {
                int first = (o * p.channels + ch) * n;
                FloatVector s = FloatVector.broadcast(SPECIES, p.step[ch]);
                FloatVector z = FloatVector.broadcast(SPECIES, p.zero[ch]);
                for (int j = 0; j < body; j += L) {
                    int at = (first + j) * Float.BYTES;
                    FloatVector scaled = FloatVector.fromByteBuffer(SPECIES, xb, x.base() + at, LE).div(s);
                    if (p.hasZero) {
                        scaled = scaled.add(z);
                    }
                    scaled.intoByteBuffer(vb, v.base() + at, LE);
                    FloatVector rounded = scaled.max(qn).min(qp).add(magic).sub(magic);
                    (p.hasZero ? rounded.sub(z).mul(s) : rounded.mul(s)).intoByteBuffer(ob, out.base() + at, LE);
                }
                ScalarSteps.forward(x, p, v, out, first + body, first + n, ch, 0);
            }
        }
    }

    @Override
    public void backward(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, float[] stepSums,
            float[] zeroSums) {
        java.util.Arrays.fill(stepSums, 0, p.channels, 0f);
        java.util.Arrays.fill(zeroSums, 0, p.channels, 0f);
        if (p.inner == 1) {
            backwardChannelLast(u, v, p, dx, stepSums, zeroSums);
        } else {
            backwardChannelRuns(u, v, p, dx, stepSums, zeroSums);
        }
    }

    private static void backwardChannelLast(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx,
            float[] stepSums, float[] zeroSums) {
        ByteBuffer ub = u.bytes();
        ByteBuffer vb = v.bytes();
        ByteBuffer db = dx.bytes();
        int c = p.channels;
        int body = c - c % L;
        FloatVector qn = FloatVector.broadcast(SPECIES, p.qn);
        FloatVector qp = FloatVector.broadcast(SPECIES, p.qp);
        FloatVector magic = FloatVector.broadcast(SPECIES, MAGIC);
        FloatVector zeros = FloatVector.zero(SPECIES);
        FloatVector ones = FloatVector.broadcast(SPECIES, 1f);
        for (int r = 0; r < p.outer; r++) {
            int row = r * c;
            for (int k = 0; k < body; k += L) {
                int at = (row + k) * Float.BYTES;
                FloatVector scaled = FloatVector.fromByteBuffer(SPECIES, vb, v.base() + at, LE);
                FloatVector g = FloatVector.fromByteBuffer(SPECIES, ub, u.base() + at, LE);
                FloatVector clamped = scaled.max(qn).min(qp);
                VectorMask<Float> outside = scaled.compare(VectorOperators.NE, clamped);
                g.blend(zeros, outside).intoByteBuffer(db, dx.base() + at, LE);
                FloatVector mask = zeros.blend(ones, outside);
                FloatVector base = p.hasZero ? clamped.sub(FloatVector.fromArray(SPECIES, p.zero, k)) : clamped;
                FloatVector term = base.mul(mask).add(clamped.add(magic).sub(magic)).sub(clamped).mul(g);
                FloatVector.fromArray(SPECIES, stepSums, k).add(term).intoArray(stepSums, k);
                FloatVector.fromArray(SPECIES, zeroSums, k).add(g.mul(mask)).intoArray(zeroSums, k);
            }
            ScalarSteps.backward(u, v, p, dx, row + body, row + c, body, 1, stepSums, zeroSums);
        }
    }

    /**
     * Runs of one channel: element j of a run adds to partial sum j % PARTIALS, a vector of elements [j, j + L) to
     * the partials [j % PARTIALS, + L), kept in arrays (L divides PARTIALS) or, with 512-bit vectors, in a register; the tail adds element by element. All of
     * it in one loop body without calls, so that the JIT keeps every vector in registers.
     */
    private void backwardChannelRuns(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx,
            float[] stepSums, float[] zeroSums) {
        int n = p.inner;
        int body = n - n % L;
        FloatVector qn = FloatVector.broadcast(SPECIES, p.qn);
        FloatVector qp = FloatVector.broadcast(SPECIES, p.qp);
        FloatVector magic = FloatVector.broadcast(SPECIES, MAGIC);
        FloatVector zeros = FloatVector.zero(SPECIES);
        FloatVector ones = FloatVector.broadcast(SPECIES, 1f);
        ByteBuffer ub = u.bytes();
        ByteBuffer vb = v.bytes();
        ByteBuffer db = dx.bytes();
        for (int o = 0; o < p.outer; o++) {
            for (int ch = 0; ch < p.channels; ch++) {
                int first = (o * p.channels + ch) * n;
                FloatVector z = FloatVector.broadcast(SPECIES, p.hasZero ? p.zero[ch] : 0f);
                java.util.Arrays.fill(partials, 0f);
                java.util.Arrays.fill(zeroPartials, 0f);
                FloatVector stepAcc = zeros;
                FloatVector zeroAcc = zeros;
                for (int j = 0; j < body; j += L) {
                    int at = (first + j) * Float.BYTES;
                    FloatVector scaled = FloatVector.fromByteBuffer(SPECIES, vb, v.base() + at, LE);
                    FloatVector g = FloatVector.fromByteBuffer(SPECIES, ub, u.base() + at, LE);
                    FloatVector clamped = scaled.max(qn).min(qp);
                    VectorMask<Float> outside = scaled.compare(VectorOperators.NE, clamped);
                    g.blend(zeros, outside).intoByteBuffer(db, dx.base() + at, LE);
                    FloatVector mask = zeros.blend(ones, outside);
                    FloatVector base = p.hasZero ? clamped.sub(z) : clamped;
                    FloatVector term = base.mul(mask).add(clamped.add(magic).sub(magic)).sub(clamped).mul(g);
                    if (VectorMemory.IN_REGISTER) {
                        stepAcc = stepAcc.add(term);
                        zeroAcc = zeroAcc.add(g.mul(mask));
                    } else {
                        int lane = j % PARTIALS;
                        FloatVector.fromArray(SPECIES, partials, lane).add(term).intoArray(partials, lane);
                        FloatVector.fromArray(SPECIES, zeroPartials, lane).add(g.mul(mask)).intoArray(zeroPartials, lane);
                    }
                }
                if (VectorMemory.IN_REGISTER) {
                    stepAcc.intoArray(partials, 0);
                    zeroAcc.intoArray(zeroPartials, 0);
                }
                for (int j = body; j < n; j++) {
                    tailStep[0] = partials[j % PARTIALS];
                    tailZero[0] = zeroPartials[j % PARTIALS];
                    ScalarSteps.backwardPartials(u, v, p, dx, first + j, first + j + 1, ch, tailStep, tailZero);
                    partials[j % PARTIALS] = tailStep[0];
                    zeroPartials[j % PARTIALS] = tailZero[0];
                }
                stepSums[ch] += ScalarLayerNorm.sum(partials);
                zeroSums[ch] += ScalarLayerNorm.sum(zeroPartials);
            }
        }
    }

    /** Whether this machine's vectors divide the partial sums evenly (4, 8 or 16 floats). */
    static boolean usable() {
        return PARTIALS % L == 0;
    }

    static String describe() {
        return SPECIES.vectorBitSize() + "-bit vectors";
    }
}
