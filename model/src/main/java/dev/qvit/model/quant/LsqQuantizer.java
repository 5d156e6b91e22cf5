package dev.qvit.model.quant;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.nn.fused.LsqChannels;
import dev.qvit.model.nn.fused.LsqKernel;
import dev.qvit.records.QuantizerSnapshot;
import dev.qvit.records.CodeUsage;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Learned-step-size fake quantizer (LSQ, Esser et al. 2020) as in Q-ViT's code (method doc section 2):
 * v = x / s + round(z), x_q = s * (round(clamp(v, Qn, Qp)) - round(z)), one step s (and zero point z) per
 * channel along {@code channelAxis}. Backward is the straight-through estimator written out:
 * dx = u inside [Qn, Qp] else 0; ds = g * sum u * (round(v) - v inside, Qn - round(z) / Qp - round(z) outside);
 * dz = g * sum u * (-s outside, 0 inside). In float32 one fused pass each way does all of it ({@link LsqKernel});
 * the ND4J op sequence below is the reference path (float64, {@code -Dqvit.kernels=nd4j}, the tests). Training
 * thread only.
 */
public final class LsqQuantizer {
    static final double MIN_STEP = 1e-8;
    private final String name;
    private final int bits;
    private final int channelAxis;
    private final Parameter step;
    private final Parameter zeroPoint;   // null for weights
    private final Buffers buffers;
    private Calibration calibration;
    private INDArray v;
    private INDArray clamped;
    private INDArray rounded;
    private INDArray stepUsed;
    private INDArray zeroUsed;
    private INDArray zeroVector;
    private long[] shape;
    private Layout layout;
    private LsqKernel kernel;
    private final LsqChannels perChannel = new LsqChannels();
    private float[] stepSums = new float[0];
    private float[] zeroSums = new float[0];
    /** Whether the last forward pass ran fused: then {@link #rounded} is made only when asked for. */
    private boolean fused;

    private LsqQuantizer(ParameterSet params, String name, int bits, int channels, int channelAxis, boolean weight) {
        this.name = name;
        this.bits = bits;
        this.channelAxis = channelAxis;
        this.step = params.declare(name + ".step", false, channels);
        this.zeroPoint = weight ? null : params.declare(name + ".zero_point", false, channels);
        this.buffers = params.buffers();
        this.calibration = new Calibration(new BitWidth(bits, true));
        this.kernel = buffers.dataType() == DataType.FLOAT ? Kernels.lsq(Kernels.path()) : null;
    }

    /** Runs this quantizer on the given kernel path from now on (the tests compare the paths). */
    public LsqQuantizer useKernels(Kernels.Path path) {
        kernel = buffers.dataType() == DataType.FLOAT ? Kernels.lsq(path) : null;
        return this;
    }

    /**
     * What the first training batch fixes besides the step and zero point (which are parameters): the sign of the
     * range and the gradient scale. One object per quantizer of a model, shared by its data-parallel replicas, so
     * that a replica made before or after the initialisation quantizes exactly as the model does.
     */
    private static final class Calibration {
        private BitWidth range;
        private boolean initialized;
        private double gradScale;

        Calibration(BitWidth range) {
            this.range = range;
        }
    }

    /** Makes this quantizer (of a replica) use the calibration of the same quantizer of the shared model. */
    public void shareCalibrationWith(LsqQuantizer model) {
        if (!model.name.equals(name) || model.bits != bits) {
            throw new IllegalArgumentException("quantizer " + name + " cannot share the calibration of " + model.name);
        }
        this.calibration = model.calibration;
    }

    /** Weights [out, in]: one step per output channel (axis 0), signed, no zero point. */
    public static LsqQuantizer forWeight(ParameterSet params, String name, int bits, int outChannels) {
        return new LsqQuantizer(params, name, bits, outChannels, 0, true);
    }

    /** Activations: one step and zero point per channel along {@code channelAxis}; sign chosen at init. */
    public static LsqQuantizer forActivation(ParameterSet params, String name, int bits, int channels, int channelAxis) {
        return new LsqQuantizer(params, name, bits, channels, channelAxis, false);
    }

    /** x -> fake-quantized x (a reused buffer). Initialises s, z and the sign on the first training call. */
    public INDArray forward(INDArray x, boolean training) {
        if (!calibration.initialized) {
            if (!training) {
                throw new IllegalStateException("quantizer " + name + " used for inference before initialisation on a "
                        + "training batch");
            }
            initialize(x);
        }
        shape = x.shape();
        layout = new Layout(shape, channelAxis);
        fused = kernel != null;
        if (fused) {
            return fusedForward(x);
        }
        INDArray x2 = layout.matrix(x);                                               // [R, K]
        stepUsed = buffers.get("s", step.length());
        Nd4j.exec(new ScalarMax(step.value(), null, stepUsed, MIN_STEP));            // guard s > 0
        INDArray stepVector = layout.expand(stepUsed);
        v = buffers.get("v", layout.rows, layout.cols);
        layout.divide(x2, stepVector, v);                                             // x / s
        if (zeroPoint != null) {
            zeroUsed = rint(zeroPoint.value(), buffers.get("z", zeroPoint.length()));
            zeroVector = layout.expand(zeroUsed);
            layout.add(v, zeroVector, v);                                              // + round(z)
        }
        clamped = buffers.get("c", layout.rows, layout.cols);
        BitWidth range = calibration.range;
        Nd4j.exec(new ScalarMax(v, null, clamped, range.qn()));
        Nd4j.exec(new ScalarMin(clamped, null, clamped, range.qp()));
        rounded = rint(clamped, buffers.get("r", layout.rows, layout.cols));
        INDArray out = buffers.get("out", layout.rows, layout.cols);
        if (zeroPoint != null) {
            layout.subtract(rounded, zeroVector, out);
            layout.multiply(out, stepVector, out);
        } else {
            layout.multiply(rounded, stepVector, out);
        }
        return out.reshape(shape);
    }

    /** The forward pass in one fused kernel: writes v and out; the codes wait until someone asks for them. */
    private INDArray fusedForward(INDArray x) {
        BitWidth range = calibration.range;
        LsqChannels p = perChannel.layout(layout.outer, layout.channels, layout.channelIsColumn ? 1 : layout.cols,
                range.qn(), range.qp(), zeroPoint != null);
        float[] s = FloatMemory.of(step.value()).copyTo(p.step());
        for (int c = 0; c < s.length; c++) {
            s[c] = Math.max(s[c], (float) MIN_STEP);                                 // guard s > 0
        }
        if (zeroPoint != null) {
            float[] z = FloatMemory.of(zeroPoint.value()).copyTo(p.zero());
            for (int c = 0; c < z.length; c++) {
                z[c] = (float) Math.rint(z[c]);
            }
        }
        v = buffers.get("v", layout.rows, layout.cols);
        INDArray out = buffers.get("out", layout.rows, layout.cols);
        kernel.forward(FloatMemory.of(dense(x, "x")), p, FloatMemory.of(v), FloatMemory.of(out));
        rounded = null;
        return out.reshape(shape);
    }

    /** {@code a} itself when its memory is dense, else a dense copy in the buffer {@code key}. */
    private INDArray dense(INDArray a, String key) {
        return FloatMemory.isDense(a) ? a : buffers.get(key, a.shape()).assign(a);
    }

    /** u = dL/dx_q -> dL/dx (a reused buffer); sets the step (and zero-point) gradients. */
    public INDArray backward(INDArray u) {
        if (fused) {
            return fusedBackward(u);
        }
        INDArray u2 = layout.matrix(u);
        long r = layout.rows;
        long k = layout.cols;
        INDArray outside = v.sub(clamped, buffers.get("outside", r, k));            // 0 inside, else != 0
        Nd4j.exec(new Abs(outside, outside));
        Nd4j.exec(new Sign(outside, outside));                                       // 1 where clamped
        INDArray uOutside = u2.mul(outside, buffers.get("uo", r, k));
        INDArray dx = uOutside.rsub(u2, buffers.get("dx", r, k));                   // u * inside
        INDArray perElement = buffers.get("ds", r, k);                               // dx_q/ds
        if (zeroPoint != null) {
            layout.subtract(clamped, zeroVector, perElement);
        } else {
            perElement.assign(clamped);
        }
        perElement.muli(outside).addi(rounded).subi(clamped).muli(u2);
        double gradScale = calibration.gradScale;
        layout.sumPerChannel(perElement, step.grad()).muli(gradScale);
        if (zeroPoint != null) {
            layout.sumPerChannel(uOutside, zeroPoint.grad()).muli(stepUsed).muli(-gradScale);
        }
        return dx.reshape(shape);
    }

    private INDArray fusedBackward(INDArray u) {
        int channels = perChannel.step().length;
        if (stepSums.length != channels) {
            stepSums = new float[channels];
            zeroSums = new float[channels];
        }
        INDArray dx = buffers.get("dx", layout.rows, layout.cols);
        kernel.backward(FloatMemory.of(dense(u, "u")), FloatMemory.of(v), perChannel, FloatMemory.of(dx), stepSums,
                zeroSums);
        float gradScale = (float) calibration.gradScale;
        FloatMemory stepGrad = FloatMemory.of(step.grad());
        for (int c = 0; c < channels; c++) {
            stepGrad.put(c, stepSums[c] * gradScale);
        }
        if (zeroPoint != null) {
            float negativeScale = (float) -calibration.gradScale;
            float[] s = perChannel.step();
            FloatMemory zeroGrad = FloatMemory.of(zeroPoint.grad());
            for (int c = 0; c < channels; c++) {
                zeroGrad.put(c, zeroSums[c] * s[c] * negativeScale);
            }
        }
        return dx.reshape(shape);
    }

    /** round(clamp(v)) of the last forward pass, made now if the fused pass left it out. */
    private INDArray codes() {
        if (rounded == null && v != null) {
            BitWidth range = calibration.range;
            INDArray c = buffers.get("r", layout.rows, layout.cols);
            Nd4j.exec(new ScalarMax(v, null, c, range.qn()));
            Nd4j.exec(new ScalarMin(c, null, c, range.qp()));
            rounded = rint(c, c);
        }
        return rounded;
    }

    /**
     * Any tensor as a contiguous matrix [R, K] whose channel is either the column (channel axis last: per-column
     * vector) or a run of rows (per-row vector, the channel values repeated for every leading index), so every
     * broadcast and reduction runs along contiguous memory instead of a strided middle axis.
     */
    private final class Layout {
        final long outer;
        final long channels;
        final long rows;
        final long cols;
        final boolean channelIsColumn;

        Layout(long[] shape, int axis) {
            long before = 1;
            long after = 1;
            for (int d = 0; d < shape.length; d++) {
                if (d < axis) {
                    before *= shape[d];
                } else if (d > axis) {
                    after *= shape[d];
                }
            }
            outer = before;
            channels = shape[axis];
            channelIsColumn = after == 1;
            rows = channelIsColumn ? before : before * channels;
            cols = channelIsColumn ? channels : after;
        }

        INDArray matrix(INDArray x) {
            return x.reshape(rows, cols);
        }

        /**
         * The per-channel vector shaped to broadcast over {@link #view}: [1, C] for [outer, C], [C, 1] for
         * [C, inner], [1, C, 1] for [outer, C, inner] (2-D where possible: ND4J's 3-D broadcast with a trailing 1 is
         * slow).
         */
        INDArray expand(INDArray perChannel) {
            if (channelIsColumn) {
                return perChannel.reshape(1, channels);
            }
            return outer == 1 ? perChannel.reshape(channels, 1) : perChannel.reshape(1, channels, 1);
        }

        private INDArray view(INDArray m) {
            return channelIsColumn || outer == 1 ? m : m.reshape(outer, channels, cols);
        }

        void divide(INDArray x, INDArray vector, INDArray out) {
            view(x).div(vector, view(out));
        }

        void add(INDArray x, INDArray vector, INDArray out) {
            view(x).add(vector, view(out));
        }

        void subtract(INDArray x, INDArray vector, INDArray out) {
            view(x).sub(vector, view(out));
        }

        void multiply(INDArray x, INDArray vector, INDArray out) {
            view(x).mul(vector, view(out));
        }

        /** Sum of a per-element [R, K] matrix over everything but the channel, into {@code out} [C]. */
        INDArray sumPerChannel(INDArray perElement, INDArray out) {
            if (channelIsColumn) {
                return Tensors.sumOverRows(perElement, buffers.constant("ones", 1.0, 1, rows), out);
            }
            INDArray rowSums = Tensors.sumOfRows(perElement, buffers.get("rowSums", rows));
            if (outer == 1) {
                return out.assign(rowSums);
            }
            Nd4j.exec(new Sum(rowSums.reshape(outer, channels), out, 0));
            return out;
        }
    }

    /** LSQ init (method doc section 2.4): s = 2 mean|x| / sqrt(Qp); z = 0.1 (min x - s Qn); sign from min x. */
    private void initialize(INDArray x) {
        INDArray precise = x.castTo(DataType.DOUBLE);                // a float32 mean drifts by ~1e-5 on 20k values
        double min = precise.minNumber().doubleValue();
        BitWidth range = new BitWidth(bits, zeroPoint == null || min < -1e-5);
        double s = 2 * precise.ameanNumber().doubleValue() / Math.sqrt(range.qp());
        step.value().assign(Math.max(s, MIN_STEP));
        if (zeroPoint != null) {
            zeroPoint.value().assign(0.1 * (min - s * range.qn()));
        }
        restore(range.signed(), 1.0 / Math.sqrt(x.length() * (double) range.qp()));
    }

    private static INDArray rint(INDArray x, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("rint").addInputs(x).addOutputs(out).build());
        return out;
    }

    /** Restores the state a checkpoint recorded (steps and zero points are parameters); replicas see it too. */
    public void restore(boolean signed, double gradientScale) {
        calibration.range = new BitWidth(bits, signed);
        calibration.gradScale = gradientScale;
        calibration.initialized = true;
    }

    public String name() {
        return name;
    }

    public BitWidth range() {
        return calibration.range;
    }

    public boolean initialized() {
        return calibration.initialized;
    }

    public double gradScale() {
        return calibration.gradScale;
    }

    public Parameter step() {
        return step;
    }

    public Parameter zeroPoint() {
        return zeroPoint;
    }

    /**
     * Steps, zero points and code usage of the last forward pass (overall and per channel), copied out as plain
     * data. Per-channel usage is given for activation quantizers only.
     */
    public QuantizerSnapshot snapshot() {
        if (codes() == null) {
            throw new IllegalStateException("quantizer " + name + " has not run a forward pass");
        }
        float[] codes = Tensors.floats(rounded);
        float[] scaled = Tensors.floats(v);
        BitWidth range = calibration.range;
        List<CodeUsage> perChannel = List.of();
        if (zeroPoint != null) {
            long inner = 1;
            for (int d = channelAxis + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            perChannel = CodeUsage.perChannel(bits, range.qn(), range.qp(), codes, scaled, (int) step.length(),
                    (int) inner);
        }
        return new QuantizerSnapshot(name, bits, range.signed(), step.value().toDoubleVector(),
                zeroPoint == null ? new double[0] : zeroPoint.value().toDoubleVector(),
                perChannel.isEmpty() ? CodeUsage.of(bits, range.qn(), range.qp(), codes, scaled)
                        : CodeUsage.total(perChannel), perChannel);
    }

    /**
     * The integer codes round(clamp(w / s)) of weights {@code w} [out, in] under the current steps, written into
     * {@code out} (same shape) without touching what the last forward pass left for backward. Weights only.
     *
     * @param stepScratch a buffer of the step's length
     */
    public INDArray weightCodes(INDArray w, INDArray stepScratch, INDArray out) {
        if (zeroPoint != null || !calibration.initialized) {
            throw new IllegalStateException("quantizer " + name + " has no weight codes (an activation quantizer, "
                    + "or not initialised)");
        }
        Layout l = new Layout(w.shape(), channelAxis);
        Nd4j.exec(new ScalarMax(step.value(), null, stepScratch, MIN_STEP));
        l.divide(l.matrix(w), l.expand(stepScratch), l.matrix(out));                  // w / s
        Nd4j.exec(new ScalarMax(out, null, out, calibration.range.qn()));
        Nd4j.exec(new ScalarMin(out, null, out, calibration.range.qp()));
        return rint(out, out);
    }

    /** Integer codes of the last forward pass (round(clamp(v)) - round(z) is the dequantized code). */
    public INDArray lastCodes() {
        return codes().reshape(shape);
    }

    /** Pre-clamp values v of the last forward pass. */
    public INDArray lastScaled() {
        return v.reshape(shape);
    }
}
