package dev.qvit.records;

/**
 * A difference between two variants measured on the same seeds: the mean of the per-seed differences, their sample
 * standard deviation and the 95 % confidence interval of the mean (Student t with n - 1 degrees of freedom). With
 * one seed there is no interval: {@code low} and {@code high} are NaN.
 *
 * @param n the number of seeds both variants have
 */
public record PairedDifference(int n, double mean, double std, double low, double high) {

    /** True when the interval lies wholly above or below zero. */
    public boolean excludesZero() {
        return n >= 2 && (low > 0 || high < 0);
    }

    /** Half the interval's width. */
    public double halfWidth() {
        return (high - low) / 2;
    }
}
