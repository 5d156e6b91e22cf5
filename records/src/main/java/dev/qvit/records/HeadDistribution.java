package dev.qvit.records;

import dev.qvit.records.GaussianFit;
import dev.qvit.records.Histogram;

/**
 * The values of one tensor (queries or keys) of one head on the probe batch: their histogram and the Gaussian fitted
 * to them (Q-ViT models q and k as Gaussian, section 3.2).
 */
public record HeadDistribution(Histogram histogram, GaussianFit fit) {

    /** Histogram and Gaussian fit of {@code values} with {@code bins} bins over their own range. */
    public static HeadDistribution of(float[] values, int bins) {
        return new HeadDistribution(Histogram.of(values, bins), GaussianFit.of(values));
    }
}
