package dev.qvit.model.nn.fused;

/** The vector LSQ kernel under the {@link AllocationGuard}. */
final class GuardedLsq extends Guarded<LsqKernel> implements LsqKernel {
    GuardedLsq() {
        super(new VectorLsq(), new ScalarLsq());
    }

    @Override
    public void forward(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out) {
        long before = begin();
        current().forward(x, p, v, out);
        end("LSQ forward", before);
    }

    @Override
    public void backward(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, float[] stepSums,
            float[] zeroSums) {
        long before = begin();
        current().backward(u, v, p, dx, stepSums, zeroSums);
        end("LSQ backward", before);
    }
}
