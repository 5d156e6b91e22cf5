package dev.qvit.model.nn.fused;

/** The vector kernel of IRM's distribution form under the {@link AllocationGuard}. */
final class GuardedRectification extends Guarded<RectificationKernel> implements RectificationKernel {
    GuardedRectification() {
        super(new VectorRectification(), new ScalarRectification());
    }

    @Override
    public void moments(FloatMemory x, int images, int heads, int block, float[] shift, double[] sum,
            double[] sumOfSquares) {
        long before = begin();
        current().moments(x, images, heads, block, shift, sum, sumOfSquares);
        end("IRM moments", before);
    }

    @Override
    public void forward(FloatMemory x, int images, int heads, int block, float[] mean, float[] invStd, float[] gamma,
            float[] beta, FloatMemory xhat, FloatMemory y) {
        long before = begin();
        current().forward(x, images, heads, block, mean, invStd, gamma, beta, xhat, y);
        end("IRM forward", before);
    }

    @Override
    public void sums(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, double[] upstream,
            double[] upstreamTimesXhat) {
        long before = begin();
        current().sums(dy, xhat, images, heads, block, upstream, upstreamTimesXhat);
        end("IRM gradient sums", before);
    }

    @Override
    public void backward(FloatMemory dy, FloatMemory xhat, int images, int heads, int block, float[] gamma,
            float[] meanG, float[] meanGx, float[] invStd, FloatMemory dx) {
        long before = begin();
        current().backward(dy, xhat, images, heads, block, gamma, meanG, meanGx, invStd, dx);
        end("IRM backward", before);
    }
}
