package dev.qvit.model.nn.fused;

/**
 * IRM's distribution form, a batch norm over the head axis of a dense [B, H, M] tensor (M = N d: one image's
 * tokens and channels of one head), in passes over memory (float32):
 * <pre>
 *   moments:  per head h, sum (x - c_h) and sum (x - c_h)^2 over images and elements (c: a shift near the mean)
 *   forward:  xhat = (x - mean_h) invStd_h, y = xhat gamma_h + beta_h
 *   sums:     per head, sum dy and sum dy xhat (dL/dbeta and dL/dgamma)
 *   backward: dx = (dy gamma_h - xhat meanGx_h - meanG_h) invStd_h
 * </pre>
 * The mean and variance come from the moments after they are summed over the data-parallel slices, so they are the
 * caller's. Within one image and head the elements add to {@link LsqKernel#PARTIALS} partial sums, added up in
 * order into a float, which adds to the head's double in image order. Implementations agree bit for bit.
 */
public interface RectificationKernel {
    /** Adds, per head, sum (x - shift) into {@code sum} and sum (x - shift)^2 into {@code sumOfSquares} (zeroed). */
    void moments(FloatMemory x, int images, int heads, int block, float[] shift, double[] sum,
            double[] sumOfSquares);

    /** Writes xhat and y [B, H, M]. */
    void forward(FloatMemory x, int images, int heads, int block, float[] mean, float[] invStd, float[] gamma,
            float[] beta, FloatMemory xhat, FloatMemory y);

    /** Per head, sum dy into {@code upstream} and sum dy xhat into {@code upstreamTimesXhat} (zeroed). */
    void sums(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, double[] upstream,
            double[] upstreamTimesXhat);

    /** Writes dx [B, H, M]. */
    void backward(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, float[] gamma, float[] meanG,
            float[] meanGx, float[] invStd, FloatMemory dx);
}
