package dev.qvit.records;

/**
 * How a b-bit quantizer uses its 2^b integer codes: counts per code, the Shannon entropy of that distribution in
 * bits (at most b: what IRM maximises, Q-ViT section 3.2) and the share of values clipped to the end codes'
 * range.
 *
 * @param lowestCode   Qn
 * @param counts       counts of codes Qn..Qp
 * @param clipFraction share of inputs outside [Qn, Qp] before clamping
 */
public record CodeUsage(int bits, int lowestCode, long[] counts, double clipFraction) {

    public CodeUsage {
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /**
     * From the integer codes round(clamp(v)) in [Qn, Qp] and the pre-clamp scaled values v = x / s + round(z).
     */
    public static CodeUsage of(int bits, int qn, int qp, float[] codes, float[] scaled) {
        long[] counts = new long[qp - qn + 1];
        for (float c : codes) {
            int i = Math.round(c) - qn;
            counts[Math.max(0, Math.min(counts.length - 1, i))]++;
        }
        long clipped = 0;
        for (float v : scaled) {
            if (v < qn || v > qp) {
                clipped++;
            }
        }
        return new CodeUsage(bits, qn, counts, scaled.length == 0 ? 0 : (double) clipped / scaled.length);
    }

    /**
     * The code usage of every channel of a row-major tensor in one pass, without splitting it: element i belongs to
     * channel (i / inner) mod channels.
     */
    public static java.util.List<CodeUsage> perChannel(int bits, int qn, int qp, float[] codes, float[] scaled,
                                                       int channels, int inner) {
        int levels = qp - qn + 1;
        long[][] counts = new long[channels][levels];
        long[] clipped = new long[channels];
        for (int start = 0, c = 0; start < codes.length; start += inner, c = c + 1 == channels ? 0 : c + 1) {
            long[] row = counts[c];
            for (int i = start; i < start + inner; i++) {
                row[Math.max(0, Math.min(levels - 1, Math.round(codes[i]) - qn))]++;
                float v = scaled[i];
                if (v < qn || v > qp) {
                    clipped[c]++;
                }
            }
        }
        long perChannel = codes.length / channels;
        java.util.List<CodeUsage> out = new java.util.ArrayList<>(channels);
        for (int c = 0; c < channels; c++) {
            out.add(new CodeUsage(bits, qn, counts[c], perChannel == 0 ? 0 : (double) clipped[c] / perChannel));
        }
        return out;
    }

    /** Entropy of the code distribution in bits (0 .. bits). */
    public double entropyBits() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h;
    }

    /** Codes that occur at least once. */
    public int usedCodes() {
        int n = 0;
        for (long c : counts) {
            n += c > 0 ? 1 : 0;
        }
        return n;
    }
}
