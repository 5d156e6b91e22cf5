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
            int i = (int) Math.rint(c) - qn;
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
        int[] counts = new int[channels * levels];                    // [channel][code], flat
        int[] clipped = new int[channels];
        int block = channels * inner;
        for (int base = 0; block > 0 && base + block <= codes.length; base += block) {
            for (int c = 0; c < channels; c++) {
                int row = c * levels - qn;
                int from = base + c * inner;
                int outside = 0;
                for (int i = from; i < from + inner; i++) {
                    counts[row + Math.max(qn, Math.min(qp, (int) Math.rint(codes[i])))]++;
                    float v = scaled[i];
                    outside += v < qn || v > qp ? 1 : 0;
                }
                clipped[c] += outside;
            }
        }
        long perChannel = codes.length / channels;
        java.util.List<CodeUsage> out = new java.util.ArrayList<>(channels);
        for (int c = 0; c < channels; c++) {
            long[] row = new long[levels];
            for (int k = 0; k < levels; k++) {
                row[k] = counts[c * levels + k];
            }
            out.add(new CodeUsage(bits, qn, row, perChannel == 0 ? 0 : (double) clipped[c] / perChannel));
        }
        return out;
    }

    /** The usage of the whole tensor from that of its channels (all of one size, as {@link #perChannel} gives). */
    public static CodeUsage total(java.util.List<CodeUsage> channels) {
        CodeUsage first = channels.get(0);
        long[] counts = new long[first.counts.length];
        double clipped = 0;
        for (CodeUsage c : channels) {
            for (int k = 0; k < counts.length; k++) {
                counts[k] += c.counts[k];
            }
            clipped += c.clipFraction;
        }
        return new CodeUsage(first.bits, first.lowestCode, counts, clipped / channels.size());
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
