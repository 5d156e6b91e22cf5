package dev.qvit.model.nn.fused;

/**
 * What an LSQ kernel needs besides the tensors: the tensor seen as [outer, channels, inner] (inner 1 when the
 * channel is the last axis), the step s per channel (already kept above its floor), the rounded zero point round(z)
 * per channel (none for weights) and the integer range [Qn, Qp]. One per quantizer, refilled each call.
 */
public final class LsqChannels {
    int outer;
    int channels;
    int inner;
    float qn;
    float qp;
    float[] step = new float[0];
    float[] zero = new float[0];
    boolean hasZero;

    /** Sets the layout and range, and sizes the per-channel arrays (reused while the channel count holds). */
    public LsqChannels layout(long outer, long channels, long inner, int qn, int qp, boolean hasZero) {
        this.outer = Math.toIntExact(outer);
        this.channels = Math.toIntExact(channels);
        this.inner = Math.toIntExact(inner);
        this.qn = qn;
        this.qp = qp;
        this.hasZero = hasZero;
        if (step.length != channels) {
            step = new float[this.channels];
            zero = new float[this.channels];
        }
        return this;
    }

    /** s per channel, to be filled by the caller. */
    public float[] step() {
        return step;
    }

    /** round(z) per channel, to be filled by the caller (ignored without a zero point). */
    public float[] zero() {
        return zero;
    }
}
