package dev.qvit.model.nn.fused;

/** The vector distillation kernel under the {@link AllocationGuard}. */
final class GuardedDistillation extends Guarded<DistillationKernel> implements DistillationKernel {
    GuardedDistillation() {
        super(new VectorDistillation(), new ScalarDistillation());
    }

    @Override
    public float[] distances(FloatMemory student, FloatMemory teacher, int blocks, int n, int d, int images,
            float weight, FloatMemory gradient) {
        long before = begin();
        float[] out = current().distances(student, teacher, blocks, n, d, images, weight, gradient);
        end("distillation", before);
        return out;
    }
}
