package dev.qvit.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void gaussianFitRecoversMeanAndStdOfASample() {
        Random r = new Random(1);
        float[] v = new float[200_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.3 + 1.7 * r.nextGaussian());
        }
        GaussianFit fit = GaussianFit.of(v);
        assertThat(fit.mean()).isCloseTo(0.3, within(0.02));
        assertThat(fit.std()).isCloseTo(1.7, within(0.02));
        assertThat(fit.density(0.3)).isCloseTo(1 / (1.7 * Math.sqrt(2 * Math.PI)), within(1e-3));
    }

    @Test
    void uniformCodeUseHasEntropyOfTheBitWidth() {
        float[] codes = {-2, -1, 0, 1, -2, -1, 0, 1};
        CodeUsage u = CodeUsage.of(2, -2, 1, codes, codes);
        assertThat(u.entropyBits()).isCloseTo(2.0, within(1e-12));
        assertThat(u.usedCodes()).isEqualTo(4);
        assertThat(u.clipFraction()).isZero();
    }

    @Test
    void fitAndEntropyOfSmallSamplesAreTheHandComputedValues() {
        // {1, 2, 3, 6}: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5
        GaussianFit fit = GaussianFit.of(new float[] {1, 2, 3, 6});
        assertThat(fit.mean()).isEqualTo(3.0);
        assertThat(fit.std()).isCloseTo(Math.sqrt(3.5), within(1e-15));
        assertThat(fit.count()).isEqualTo(4);
        // N(3, 3.5): density exp(-z^2 / 2) / (sigma sqrt(2 pi)) one and two sigma out; entropy 1/2 ln(2 pi e sigma^2)
        double sigma = Math.sqrt(3.5);
        double peak = 1 / (sigma * Math.sqrt(2 * Math.PI));
        assertThat(fit.density(3 + sigma)).isCloseTo(peak * Math.exp(-0.5), within(1e-15));
        assertThat(fit.density(3 - 2 * sigma)).isCloseTo(peak * Math.exp(-2), within(1e-15));
        assertThat(fit.entropy()).isCloseTo(0.5 * Math.log(2 * Math.PI * Math.E * 3.5), within(1e-15));
        // codes -2, -2, 0, 1 of [-2, 1]: p = 1/2, 0, 1/4, 1/4 -> H = 1/2 + 2 * 1/2 = 1.5 bits
        float[] codes = {-2, -2, 0, 1};
        CodeUsage u = CodeUsage.of(2, -2, 1, codes, codes);
        assertThat(u.counts()).containsExactly(2, 0, 1, 1);
        assertThat(u.entropyBits()).isCloseTo(1.5, within(1e-15));
        assertThat(u.usedCodes()).isEqualTo(3);
    }

    @Test
    void oneCodeHasZeroEntropyAndClippedValuesAreCounted() {
        float[] codes = {1, 1, 1, 1};
        float[] scaled = {1.2f, 3f, 0.9f, -7f};   // outside [-2, 1]: 1.2, 3 and -7
        CodeUsage u = CodeUsage.of(2, -2, 1, codes, scaled);
        assertThat(u.entropyBits()).isZero();
        assertThat(u.clipFraction()).isEqualTo(0.75);
    }

    @Test
    void histogramBinsFromItsOwnMinimumAndPutsOutsideValuesInTheEndBins() {
        // [-1, 2] in 3 bins of width 1: [-1, 0) holds -1, -0.2; [0, 1) holds 0, 0.4, 0.9; [1, 2] holds 1.5, 2
        Histogram h = Histogram.of(new float[] {-1f, -0.2f, 0f, 0.4f, 0.9f, 1.5f, 2f}, 3);
        assertThat(h.counts()).containsExactly(2, 3, 2);
        assertThat(h.min()).isEqualTo(-1.0);
        assertThat(h.binWidth()).isCloseTo(1.0, within(1e-15));
        assertThat(h.binCenter(1)).isCloseTo(0.5, within(1e-15));
        // a given range [0, 1] in 2 bins: -5 counts in the first bin, 9 in the last
        assertThat(Histogram.of(new float[] {-5f, 0.25f, 0.5f, 9f}, 2, 0, 1).counts()).containsExactly(2, 2);
        // equal values (zero range) and no values are a histogram, not an error
        assertThat(Histogram.of(new float[] {3f, 3f, 3f}, 4).counts()).containsExactly(3, 0, 0, 0);
        Histogram empty = Histogram.of(new float[0], 2);
        assertThat(empty.counts()).containsExactly(0, 0);
        assertThat(empty.max()).isEqualTo(1.0);
        assertThat(GaussianFit.of(new float[0]).mean()).isNaN();
    }

    @Test
    void histogramCountsEveryValueOnce() {
        Histogram h = Histogram.of(new float[] {0f, 0.1f, 0.5f, 0.99f, 1f}, 2);
        assertThat(h.counts()).containsExactly(2, 3);
        assertThat(h.total()).isEqualTo(5);
        assertThat(h.binCenter(0)).isCloseTo(0.25, within(1e-12));
    }
}
