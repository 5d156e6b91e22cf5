package dev.qvit.model.nn.fused;

/**
 * LSQ's per-element arithmetic over a range of elements, shared by the scalar kernel and the vector kernel's
 * tails. Everything the loops read is in locals: writes to native memory may alias anything as far as the JIT can
 * tell, so fields would be reloaded after every store.
 */
final class ScalarSteps {
    private ScalarSteps() {
    }

    /**
     * v = x / s (+ round(z)); out = (rint(clamp(v)) - round(z)) s over elements [from, to), the channel of element
     * i being {@code ch0 + (i - from) * chStep} (chStep 1 along a row of the channel-last layout, 0 along a run).
     */
    static void forward(FloatMemory x, LsqChannels p, FloatMemory v, FloatMemory out, int from, int to, int ch0,
            int chStep) {
        float[] step = p.step;
        float[] zero = p.zero;
        boolean hasZero = p.hasZero;
        float qn = p.qn;
        float qp = p.qp;
        int ch = ch0;
        for (int i = from; i < to; i++, ch += chStep) {
            float s = step[ch];
            float scaled = x.get(i) / s;
            if (hasZero) {
                scaled = scaled + zero[ch];
            }
            v.put(i, scaled);
            float rounded = rint(Math.min(Math.max(scaled, qn), qp));
            out.put(i, hasZero ? (rounded - zero[ch]) * s : rounded * s);
        }
    }

    /**
     * Writes dx over [from, to) and adds u * dx_q/ds to {@code stepSums[ch]} and u * outside to {@code
     * zeroSums[ch]} element by element, in the reference path's order of operations; channels as in
     * {@link #forward}.
     */
    static void backward(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, int from, int to, int ch0,
            int chStep, float[] stepSums, float[] zeroSums) {
        float[] zero = p.zero;
        boolean hasZero = p.hasZero;
        float qn = p.qn;
        float qp = p.qp;
        int ch = ch0;
        for (int i = from; i < to; i++, ch += chStep) {
            float scaled = v.get(i);
            float clamped = Math.min(Math.max(scaled, qn), qp);
            boolean clampedAway = scaled != clamped;
            float outside = clampedAway ? 1f : 0f;
            float g = u.get(i);
            dx.put(i, clampedAway ? 0f : g);
            float base = hasZero ? clamped - zero[ch] : clamped;
            stepSums[ch] += (base * outside + rint(clamped) - clamped) * g;
            zeroSums[ch] += g * outside;
        }
    }

    /**
     * As {@link #backward} along one run of channel ch, element i adding to partial sum (i - from) % length (a
     * partial sum of length 1 adds the elements one after the other).
     */
    static void backwardPartials(FloatMemory u, FloatMemory v, LsqChannels p, FloatMemory dx, int from, int to,
            int ch, float[] stepPartials, float[] zeroPartials) {
        float z = p.zero[ch];
        boolean hasZero = p.hasZero;
        float qn = p.qn;
        float qp = p.qp;
        int lane = 0;
        for (int i = from; i < to; i++) {
            float scaled = v.get(i);
            float clamped = Math.min(Math.max(scaled, qn), qp);
            boolean clampedAway = scaled != clamped;
            float outside = clampedAway ? 1f : 0f;
            float g = u.get(i);
            dx.put(i, clampedAway ? 0f : g);
            float base = hasZero ? clamped - z : clamped;
            stepPartials[lane] += (base * outside + rint(clamped) - clamped) * g;
            zeroPartials[lane] += g * outside;
            lane = lane == stepPartials.length - 1 ? 0 : lane + 1;
        }
    }

    static float rint(float c) {
        return (c + LsqKernel.MAGIC) - LsqKernel.MAGIC;
    }
}
