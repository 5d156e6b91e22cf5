package dev.qvit.model.nn.fused;

/** The vector attention core under the {@link AllocationGuard}. */
final class GuardedAttention extends Guarded<AttentionKernel> implements AttentionKernel {
    GuardedAttention() {
        super(new VectorAttention(), new ScalarAttention());
    }

    @Override
    public void scores(FloatMemory q, FloatMemory k, int heads, int n, int d, float scale, FloatMemory attention) {
        long before = begin();
        current().scores(q, k, heads, n, d, scale, attention);
        end("attention scores", before);
    }

    @Override
    public void biasedScores(FloatMemory q, FloatMemory k, FloatMemory bias, int planes, int heads, int n, int d,
            float scale, FloatMemory attention) {
        long before = begin();
        current().biasedScores(q, k, bias, planes, heads, n, d, scale, attention);
        end("attention scores with bias", before);
    }

    @Override
    public void biasGradient(FloatMemory attention, FloatMemory dAttention, int heads, int n, int planes,
            FloatMemory dBias) {
        long before = begin();
        current().biasGradient(attention, dAttention, heads, n, planes, dBias);
        end("attention bias gradient", before);
    }

    @Override
    public void context(FloatMemory attention, FloatMemory v, int heads, int n, int d, FloatMemory context) {
        long before = begin();
        current().context(attention, v, heads, n, d, context);
        end("attention context", before);
    }

    @Override
    public void contextBackward(FloatMemory attention, FloatMemory v, FloatMemory dContext, int heads, int n, int d,
            FloatMemory dAttention, FloatMemory dv) {
        long before = begin();
        current().contextBackward(attention, v, dContext, heads, n, d, dAttention, dv);
        end("attention context backward", before);
    }

    @Override
    public void scoresBackward(FloatMemory attention, FloatMemory dAttention, FloatMemory q, FloatMemory k, int heads,
            int n, int d, float scale, FloatMemory dq, FloatMemory dk) {
        long before = begin();
        current().scoresBackward(attention, dAttention, q, k, heads, n, d, scale, dq, dk);
        end("attention scores backward", before);
    }

    @Override
    public void toHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        long before = begin();
        current().toHeads(x, images, n, parts, heads, d, out);
        end("split heads", before);
    }

    @Override
    public void fromHeads(FloatMemory x, int images, int n, int parts, int heads, int d, FloatMemory out) {
        long before = begin();
        current().fromHeads(x, images, n, parts, heads, d, out);
        end("merge heads", before);
    }
}
