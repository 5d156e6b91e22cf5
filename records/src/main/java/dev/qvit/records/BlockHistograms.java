package dev.qvit.records;

/**
 * What the paper's Fig. 1 draws for one block of one model: the histograms of its queries and keys on the probe
 * images, with their Gaussian fits. For a quantized student these are the values after its quantizer.
 */
public record BlockHistograms(int layer, Histogram query, GaussianFit queryFit, Histogram key, GaussianFit keyFit) {
}
