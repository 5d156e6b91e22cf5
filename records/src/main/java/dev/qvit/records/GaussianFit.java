package dev.qvit.records;

/**
 * Maximum-likelihood Gaussian N(mean, std^2) of a sample (Q-ViT models q and k as Gaussian, section 3.2).
 *
 * @param count number of values
 */
public record GaussianFit(double mean, double std, long count) {

    /** Two-pass mean and population standard deviation (divide by n). */
    public static GaussianFit of(float[] values) {
        if (values.length == 0) {
            return new GaussianFit(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new GaussianFit(mean, Math.sqrt(squares / values.length), values.length);
    }

    /** Density at x. */
    public double density(double x) {
        double z = (x - mean) / std;
        return Math.exp(-0.5 * z * z) / (std * Math.sqrt(2 * Math.PI));
    }

    /** Differential entropy in nats, 1/2 log(2 pi e sigma^2) (Q-ViT Eq. for IRM). */
    public double entropy() {
        return 0.5 * Math.log(2 * Math.PI * Math.E * std * std);
    }
}
