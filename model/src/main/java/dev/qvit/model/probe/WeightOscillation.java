package dev.qvit.model.probe;

import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizedLinear;
import dev.qvit.model.vit.Backbone;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight oscillation (Nagel et al. 2022; Liu et al., OFQ 2023): after every optimizer step, the share of a quantized
 * layer's weights whose integer code moved back, in the direction opposite to its previous move. Counted over a
 * window that {@link #restart()} opens (the ablation opens one per epoch); buffers are allocated once. The codes
 * come from the quantizer; the comparison is one plain loop per layer (it was 7 ND4J ops per layer, about 6 ms of a
 * QAT step on the training thread while the workers waited).
 */
public final class WeightOscillation {
    private final List<Tracked> layers = new ArrayList<>();
    private long nanos;

    private static final class Tracked {
        final String tensor;
        final INDArray weight;
        final LsqQuantizer quantizer;
        final INDArray stepScratch;
        final INDArray codeArray;     // the quantizer writes this step's codes here
        final FloatMemory codeMemory;
        float[] codes;
        float[] previous;
        final float[] direction;      // sign of each weight's last code change, 0 before the first
        long flips;
        long steps;
        boolean primed;

        Tracked(String tensor, QuantizedLinear layer) {
            this.tensor = tensor;
            this.weight = layer.weight().value();
            this.quantizer = layer.weightQuantizer();
            this.stepScratch = Nd4j.createUninitialized(weight.dataType(), quantizer.step().value().length());
            this.codeArray = Nd4j.createUninitialized(DataType.FLOAT, weight.shape());
            this.codeMemory = FloatMemory.of(codeArray);
            int n = (int) weight.length();
            this.codes = new float[n];
            this.previous = new float[n];
            this.direction = new float[n];
        }

        /** The integer codes the weights have now, into {@code into}. */
        void readCodes(float[] into) {
            quantizer.weightCodes(weight, stepScratch, codeArray);
            codeMemory.read(0, into, into.length);
        }

        /** Counts the weights whose code moved against their last move, and records this step's moves. */
        void countFlips() {
            for (int i = 0; i < codes.length; i++) {
                float move = Math.signum(codes[i] - previous[i]);                  // -1, 0, +1 (codes are integers)
                if (move != 0f) {
                    flips += move * direction[i] < 0f ? 1 : 0;
                    direction[i] = move;
                }
            }
            steps++;
        }
    }

    /**
     * Tracks every quantized linear layer of {@code student}: the block linears, the patch embedding, the head (and a
     * Swin's patch mergings), in forward order.
     */
    public WeightOscillation(Backbone student) {
        student.linearLayers().forEach(this::track);
    }

    private void track(DenseLayer layer) {
        if (layer instanceof QuantizedLinear q) {
            layers.add(new Tracked(q.weight().name(), q));
        }
    }

    /**
     * What the count carries from one step to the next besides the model's own codes, for a checkpoint: per tracked
     * tensor the window's counts and the direction of each weight's last code move.
     */
    public record State(List<Layer> layers) {
        public State {
            layers = List.copyOf(layers);
        }

        /** @param direction last move + 1 per weight, c order: 0 down, 1 none yet, 2 up */
        public record Layer(String tensor, long flips, long steps, boolean primed, byte[] direction) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Layer l && tensor.equals(l.tensor) && flips == l.flips && steps == l.steps
                        && primed == l.primed && java.util.Arrays.equals(direction, l.direction);
            }

            @Override
            public int hashCode() {
                return tensor.hashCode() * 31 + Long.hashCode(flips);
            }
        }
    }

    /** The counting state between two steps (training thread). */
    public State state() {
        List<State.Layer> out = new ArrayList<>();
        for (Tracked t : layers) {
            float[] d = t.direction;
            byte[] b = new byte[d.length];
            for (int i = 0; i < d.length; i++) {
                b[i] = (byte) (Math.round(d[i]) + 1);
            }
            out.add(new State.Layer(t.tensor, t.flips, t.steps, t.primed, b));
        }
        return new State(out);
    }

    /**
     * Goes on counting from a checkpoint's state, once the model holds the checkpoint's weights and step sizes: the
     * codes those give are the ones the next step is compared with, as in the run that saved it.
     *
     * @throws IllegalArgumentException when the state is of another model
     */
    public void restore(State state) {
        if (state.layers().size() != layers.size()) {
            throw new IllegalArgumentException("the checkpoint counts oscillation of " + state.layers().size()
                    + " tensors, the model has " + layers.size());
        }
        for (int i = 0; i < layers.size(); i++) {
            Tracked t = layers.get(i);
            State.Layer l = state.layers().get(i);
            if (!l.tensor().equals(t.tensor) || l.direction().length != t.weight.length()) {
                throw new IllegalArgumentException("the checkpoint's oscillation state of " + l.tensor()
                        + " does not fit the model's " + t.tensor);
            }
            for (int j = 0; j < t.direction.length; j++) {
                t.direction[j] = l.direction()[j] - 1;
            }
            t.flips = l.flips();
            t.steps = l.steps();
            t.primed = l.primed();
            if (t.primed) {
                t.readCodes(t.previous);
            }
        }
    }

    /** Opens a new window: the current codes are the reference, no moves known, no flips counted. */
    public void restart() {
        for (Tracked t : layers) {
            t.primed = false;
            t.flips = 0;
            t.steps = 0;
            java.util.Arrays.fill(t.direction, 0f);
        }
    }

    /** Call after each optimizer step (training thread, between steps). */
    public void afterStep() {
        long start = System.nanoTime();
        for (Tracked t : layers) {
            t.readCodes(t.codes);
            if (t.primed) {
                t.countFlips();
            }
            float[] swap = t.previous;
            t.previous = t.codes;
            t.codes = swap;
            t.primed = true;
        }
        nanos += System.nanoTime() - start;
    }

    /** Time spent in {@link #afterStep} since this tracker was made. */
    public double seconds() {
        return nanos / 1e9;
    }

    /** Tensor name -> flips per weight per step in the current window (NaN before two steps). */
    public Map<String, Double> rates() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Tracked t : layers) {
            out.put(t.tensor, t.steps == 0 ? Double.NaN : (double) t.flips / (t.steps * t.weight.length()));
        }
        return out;
    }
}
