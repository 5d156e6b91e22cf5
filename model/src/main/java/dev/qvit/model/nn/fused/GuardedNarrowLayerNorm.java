package dev.qvit.model.nn.fused;

/**
 * The vector layer-norm kernel for rows of up to PARTIALS floats under the {@link AllocationGuard}. Its own class
 * rather than a {@link GuardedLayerNorm} handed another kernel, so that each call site sees one kernel: C2 inlines
 * the two kernels a call site sees into one method, the shape that was not compiled to vector code (see
 * {@link VectorNarrowLayerNorm}; the shared wrapper itself was not tried).
 */
final class GuardedNarrowLayerNorm extends Guarded<LayerNormKernel> implements LayerNormKernel {
    GuardedNarrowLayerNorm() {
        super(new VectorNarrowLayerNorm(), new ScalarLayerNorm());
    }

    @Override
    public void forward(FloatMemory x, float[] gamma, float[] beta, float eps, int rows, int dim, FloatMemory xhat,
            FloatMemory invStd, FloatMemory y) {
        long before = begin();
        current().forward(x, gamma, beta, eps, rows, dim, xhat, invStd, y);
        end("narrow LayerNorm forward", before);
    }

    @Override
    public void backward(FloatMemory dy, FloatMemory xhat, FloatMemory invStd, float[] gamma, int rows, int dim,
            FloatMemory dx, float[] dgamma, float[] dbeta) {
        long before = begin();
        current().backward(dy, xhat, invStd, gamma, rows, dim, dx, dgamma, dbeta);
        end("narrow LayerNorm backward", before);
    }
}
