package dev.qvit.model.nn.fused;

/** The vector GELU kernel under the {@link AllocationGuard}. */
final class GuardedGelu extends Guarded<GeluKernel> implements GeluKernel {
    GuardedGelu() {
        super(new VectorGelu(), new ScalarGelu());
    }

    @Override
    public void forward(FloatMemory x, FloatMemory y, int n, float clip) {
        long before = begin();
        current().forward(x, y, n, clip);
        end("GELU forward", before);
    }

    @Override
    public void backward(FloatMemory x, FloatMemory dy, FloatMemory dx, int n, float clip) {
        long before = begin();
        current().backward(x, dy, dx, n, clip);
        end("GELU backward", before);
    }
}
