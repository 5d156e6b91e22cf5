package dev.qvit.records;

/**
 * Equal-width histogram of a sample over [min, max].
 *
 * @param counts values per bin; the last bin includes max
 */
public record Histogram(double min, double max, long[] counts) {

    public Histogram {
        if (counts.length == 0 || !(max >= min) || !Double.isFinite(max - min)) {
            throw new IllegalArgumentException("a histogram needs at least one bin and a finite range, got " + counts.length
                    + " bins over [" + min + ", " + max + "] (NaN or infinite values?)");
        }
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** Histogram of {@code values} with {@code bins} bins over their own range. */
    public static Histogram of(float[] values, int bins) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (values.length == 0) {
            lo = 0;
            hi = 1;
        }
        return of(values, bins, lo, hi);
    }

    /** Histogram over a given range; values outside it are counted in the end bins. */
    public static Histogram of(float[] values, int bins, double lo, double hi) {
        long[] counts = new long[bins];
        double width = hi > lo ? (hi - lo) / bins : 1;
        for (float v : values) {
            int b = (int) Math.floor((v - lo) / width);
            counts[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return new Histogram(lo, hi, counts);
    }

    public double binWidth() {
        return (max - min) / counts.length;
    }

    public double binCenter(int bin) {
        return min + (bin + 0.5) * binWidth();
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }
}
