package dev.qvit.model.quant;

/**
 * The method doc's formulas for IRM (section 4) and LSQ (section 2) written as plain loops over row-major
 * [B, H, M] arrays (M = N * d for queries and keys, N * N for attention; head h of element i is (i / M) mod H),
 * in double precision: the independent reference the probe tests compare the engine with. No ND4J.
 */
final class NaiveQuantization {
    /** IRM's epsilon, both forms. */
    static final double EPS = 1e-5;

    private NaiveQuantization() {
    }

    /** Token IRM: LayerNorm of every row of d channels, y_c = gamma_c (x_c - mean) / sqrt(var + eps) + beta_c. */
    static double[] tokenIrm(double[] x, int d, double[] gamma, double[] beta) {
        double[] y = new double[x.length];
        for (int row = 0; row < x.length / d; row++) {
            double mean = 0;
            for (int c = 0; c < d; c++) {
                mean += x[row * d + c];
            }
            mean /= d;
            double var = 0;
            for (int c = 0; c < d; c++) {
                var += (x[row * d + c] - mean) * (x[row * d + c] - mean);
            }
            double invStd = 1 / Math.sqrt(var / d + EPS);
            for (int c = 0; c < d; c++) {
                y[row * d + c] = gamma[c] * (x[row * d + c] - mean) * invStd + beta[c];
            }
        }
        return y;
    }

    /** Per-head mean and biased variance over images, tokens and channels: {mean[H], var[H]}. */
    static double[][] headStatistics(double[] x, int heads, int perHead) {
        double[] mean = new double[heads];
        double[] var = new double[heads];
        int perHeadTotal = x.length / heads;
        for (int i = 0; i < x.length; i++) {
            mean[head(i, heads, perHead)] += x[i] / perHeadTotal;
        }
        for (int i = 0; i < x.length; i++) {
            int h = head(i, heads, perHead);
            var[h] += (x[i] - mean[h]) * (x[i] - mean[h]) / perHeadTotal;
        }
        return new double[][] {mean, var};
    }

    /** Distribution IRM with given per-head statistics: y = gamma_h (x - mu_h) / sqrt(var_h + eps) + beta_h. */
    static double[] distributionIrm(double[] x, int heads, int perHead, double[] mean, double[] var, double[] gamma,
                                    double[] beta) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int h = head(i, heads, perHead);
            y[i] = gamma[h] * (x[i] - mean[h]) / Math.sqrt(var[h] + EPS) + beta[h];
        }
        return y;
    }

    /**
     * LSQ with step s_h and zero point z_h per head: v = x / s + round(z), code = round(clamp(v, Qn, Qp)),
     * x_q = s (code - round(z)); round is half to even.
     */
    static Lsq lsq(double[] x, int heads, int perHead, double[] step, double[] zeroPoint, int qn, int qp) {
        double[] v = new double[x.length];
        double[] codes = new double[x.length];
        double[] values = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int h = head(i, heads, perHead);
            double z = Math.rint(zeroPoint[h]);
            v[i] = x[i] / step[h] + z;
            codes[i] = Math.rint(Math.max(qn, Math.min(qp, v[i])));
            values[i] = (codes[i] - z) * step[h];
        }
        return new Lsq(heads, perHead, qn, qp, v, codes, values);
    }

    static int head(int i, int heads, int perHead) {
        return (i / perHead) % heads;
    }

    /** The naive LSQ of one tensor: pre-clamp v, integer codes and dequantized values, row-major as the input. */
    record Lsq(int heads, int perHead, int qn, int qp, double[] scaled, double[] codes, double[] values) {

        /** Counts of codes Qn..Qp of head h, or of all heads when h is -1. */
        long[] counts(int h) {
            long[] counts = new long[qp - qn + 1];
            for (int i = 0; i < codes.length; i++) {
                if (h < 0 || head(i, heads, perHead) == h) {
                    counts[(int) codes[i] - qn]++;
                }
            }
            return counts;
        }

        /** Share of head h's values (all heads when h is -1) with v outside [Qn, Qp]. */
        double clipFraction(int h) {
            long clipped = 0;
            long total = 0;
            for (int i = 0; i < scaled.length; i++) {
                if (h < 0 || head(i, heads, perHead) == h) {
                    total++;
                    clipped += scaled[i] < qn || scaled[i] > qp ? 1 : 0;
                }
            }
            return (double) clipped / total;
        }
    }

    /** Shannon entropy in bits of a histogram, -sum p log2 p. */
    static double entropyBits(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                h -= (double) c / total * (Math.log((double) c / total) / Math.log(2));
            }
        }
        return h;
    }
}
