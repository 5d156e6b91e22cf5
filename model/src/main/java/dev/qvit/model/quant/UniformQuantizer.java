package dev.qvit.model.quant;

import dev.qvit.records.CodeUsage;
import dev.qvit.records.QuantizerOutcome;

/**
 * The LSQ quantizer of one tensor with a single step, on plain values, for the teaching demo's interactive quantizer:
 * Q(x) = s · round(clamp(x / s, Qn, Qp)) (method doc section 2.1, rounding half to even as the engine's
 * {@link LsqQuantizer}), with the two steps a student is shown: LSQ's initialisation and the step that maximises the
 * entropy of the codes. Any bit width from 1 to 8; fast enough to recompute on every slider move (linear in the values).
 */
public final class UniformQuantizer {
    /** Candidate steps searched for the entropy maximum: log-spaced, then refined around the best. */
    private static final int COARSE = 240;
    private static final int FINE = 60;

    private UniformQuantizer() {
    }

    /** Lowest code Qn: -2^(b-1) signed, 0 unsigned. */
    public static int lowestCode(int bits, boolean signed) {
        checkBits(bits);
        return signed ? -(1 << (bits - 1)) : 0;
    }

    /** Highest code Qp: 2^(b-1) - 1 signed, 2^b - 1 unsigned. */
    public static int highestCode(int bits, boolean signed) {
        checkBits(bits);
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Codes, clipped share, entropy, MSE and SQNR of quantizing {@code x} with step {@code step}. */
    public static QuantizerOutcome apply(float[] x, int bits, boolean signed, double step) {
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("the step must be a number above 0, got " + step);
        }
        int qn = lowestCode(bits, signed);
        int qp = highestCode(bits, signed);
        long[] counts = new long[qp - qn + 1];
        long clipped = 0;
        double signal = 0;
        double noise = 0;
        for (float value : x) {
            double v = value / step;
            if (v < qn || v > qp) {
                clipped++;
            }
            double code = Math.rint(Math.max(qn, Math.min(qp, v)));
            counts[(int) code - qn]++;
            double e = value - step * code;
            signal += (double) value * value;
            noise += e * e;
        }
        CodeUsage usage = new CodeUsage(bits, qn, counts, x.length == 0 ? 0 : (double) clipped / x.length);
        double sqnr = noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
        return new QuantizerOutcome(bits, signed, step, usage, x.length == 0 ? 0 : noise / x.length, sqnr);
    }

    /** LSQ's initial step (method doc section 2.4): s = 2 mean|x| / sqrt(Qp). */
    public static double lsqInitialStep(float[] x, int bits, boolean signed) {
        double sum = 0;
        for (float v : x) {
            sum += Math.abs(v);
        }
        double s = 2 * (sum / Math.max(1, x.length)) / Math.sqrt(highestCode(bits, signed));
        return Math.max(s, LsqQuantizer.MIN_STEP);
    }

    /**
     * The step whose codes have the highest entropy (the most information kept, what IRM aims for through the
     * distribution): searched over log-spaced steps from max|x|/(1000 Qp) to 2 max|x|, then refined around the
     * best; the smallest such step on ties.
     */
    public static double entropyMaximisingStep(float[] x, int bits, boolean signed) {
        double max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        if (max == 0) {
            return lsqInitialStep(x, bits, signed);
        }
        int qp = highestCode(bits, signed);
        double lo = Math.log(max / (1000.0 * qp));
        double hi = Math.log(2 * max);
        double best = search(x, bits, signed, lo, hi, COARSE);
        double width = (hi - lo) / (COARSE - 1);
        return search(x, bits, signed, Math.log(best) - width, Math.log(best) + width, FINE);
    }

    private static double search(float[] x, int bits, boolean signed, double logLo, double logHi, int points) {
        double bestStep = Math.exp(logLo);
        double bestEntropy = -1;
        for (int i = 0; i < points; i++) {
            double s = Math.exp(logLo + (logHi - logLo) * i / (points - 1));
            double h = apply(x, bits, signed, s).usage().entropyBits();
            if (h > bestEntropy + 1e-12) {
                bestEntropy = h;
                bestStep = s;
            }
        }
        return bestStep;
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be between 1 and 8, got " + bits);
        }
    }
}
