package dev.qvit.model.nn.fused;

import java.util.Arrays;

/**
 * {@link LsqKernel} as plain loops: the fallback where the Vector API is missing or does not compile to vector
 * code. Sums along a contiguous run keep {@link #PARTIALS} partial sums (element j to partial j % PARTIALS), added
 * up in order, exactly as the vector kernel does, so that falling back never changes a number.
 */
final class ScalarLsq implements LsqKernel {
    private final float[] partialStep = new float[PARTIALS];
    private final float[] partialZero = new float[PARTIALS];

    @Override
    public void forward(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out) {
        int n = p.inner;
        if (n == 1) {
            for (int o = 0; o < p.outer; o++) {
                int first = o * p.channels;
                ScalarSteps.forward(x, p, v, out, first, first + p.channels, 0, 1);
            }
            return;
        }
        for (int o = 0; o < p.outer; o++) {
            for (int ch = 0; ch < p.channels; ch++) {
                int first = (o * p.channels + ch) * n;
                ScalarSteps.forward(x, p, v, out, first, first + n, ch, 0);
            }
        }
    }

    @Override
    public void backward(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, float[] stepSums,
            float[] zeroSums) {
        Arrays.fill(stepSums, 0, p.channels, 0f);
        Arrays.fill(zeroSums, 0, p.channels, 0f);
        int n = p.inner;
        if (n == 1) {
            for (int o = 0; o < p.outer; o++) {
                int first = o * p.channels;
                ScalarSteps.backward(u, v, p, dx, first, first + p.channels, 0, 1, stepSums, zeroSums);
            }
            return;
        }
        for (int o = 0; o < p.outer; o++) {
            for (int ch = 0; ch < p.channels; ch++) {
                int first = (o * p.channels + ch) * n;
                Arrays.fill(partialStep, 0f);
                Arrays.fill(partialZero, 0f);
                ScalarSteps.backwardPartials(u, v, p, dx, first, first + n, ch, partialStep, partialZero);
                stepSums[ch] += ScalarLayerNorm.sum(partialStep);
                zeroSums[ch] += ScalarLayerNorm.sum(partialZero);
            }
        }
    }
}
