package dev.qvit.model.experiment;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.probe.WeightOscillation;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.train.AdamW;
import dev.qvit.model.train.TrainingProgress;
import dev.qvit.model.vit.Backbone;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything a run's next step depends on, copied out of the engine as plain arrays (float32, as runs train): every
 * parameter by name (IRM's running statistics included), AdamW's moments and step count, each LSQ quantizer's
 * calibration, and the trainer's progress. A checkpoint is this state written down.
 *
 * @param parameters     name -> values, in the model's order
 * @param firstMoment    AdamW m over the flat parameter vector
 * @param secondMoment   AdamW v
 * @param optimizerSteps AdamW's step count
 * @param oscillation    a student run's weight-oscillation count so far, null for a teacher (or an older checkpoint)
 */
public record TrainingState(Map<String, float[]> parameters, float[] firstMoment, float[] secondMoment,
                            long optimizerSteps, List<QuantizerState> quantizers, TrainingProgress progress,
                            WeightOscillation.State oscillation) {

    /** An LSQ quantizer's calibration: whether its step was initialised, its sign and its gradient scale. */
    public record QuantizerState(String name, boolean initialized, boolean signed, double gradScale) {
    }

    public TrainingState {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        quantizers = List.copyOf(quantizers);
    }

    /**
     * Copies the state out between two steps (training thread).
     *
     * @param oscillation the run's oscillation count, or null
     */
    public static TrainingState capture(Backbone model, AdamW optimizer, TrainingProgress progress,
                                        WeightOscillation oscillation) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Parameter p : model.parameters().parameters()) {
            values.put(p.name(), floats(p.value()));
        }
        List<QuantizerState> quantizers = new ArrayList<>();
        for (LsqQuantizer q : model.quantizers()) {
            quantizers.add(new QuantizerState(q.name(), q.initialized(), q.range().signed(), q.gradScale()));
        }
        return new TrainingState(values, floats(optimizer.firstMoment()), floats(optimizer.secondMoment()),
                optimizer.stepCount(), quantizers, progress, oscillation == null ? null : oscillation.state());
    }

    /**
     * Writes the state into a freshly built model of the same experiment and its optimizer.
     *
     * @throws IllegalArgumentException when the state is of another model (names, shapes or sizes differ)
     */
    public void restoreInto(Backbone model, AdamW optimizer) {
        restoreModel(model);
        ParameterSet params = model.parameters();
        if (firstMoment.length != params.size() || secondMoment.length != params.size()) {
            throw new IllegalArgumentException("the checkpoint's optimizer state is of another model");
        }
        optimizer.firstMoment().assign(Nd4j.createFromArray(firstMoment).castTo(params.dataType())
                .reshape(optimizer.firstMoment().shape()));
        optimizer.secondMoment().assign(Nd4j.createFromArray(secondMoment).castTo(params.dataType())
                .reshape(optimizer.secondMoment().shape()));
        optimizer.restore(optimizerSteps);
    }

    /** The model this state was taken from: {@code spec}'s model with the saved weights and calibration. */
    public Backbone model(ExperimentSpec spec) {
        Backbone m = spec.model().empty(DataType.FLOAT,
                spec.kind() == ExperimentSpec.Kind.STUDENT ? spec.quantization() : null);
        restoreModel(m);
        return m;
    }

    /** Writes the parameters and quantizer calibration (not the optimizer) into a model of the same experiment. */
    public void restoreModel(Backbone model) {
        ParameterSet params = model.parameters();
        List<String> names = params.parameters().stream().map(Parameter::name).toList();
        if (!names.equals(List.copyOf(parameters.keySet()))) {
            throw new IllegalArgumentException("the checkpoint holds the parameters of another model");
        }
        for (Parameter p : params.parameters()) {
            float[] v = parameters.get(p.name());
            if (v.length != p.length()) {
                throw new IllegalArgumentException("the checkpoint's " + p.name() + " has " + v.length
                        + " values, the model's " + p.length());
            }
            p.value().assign(Nd4j.createFromArray(v).castTo(params.dataType()).reshape(p.shape()));
        }
        List<LsqQuantizer> modelQuantizers = model.quantizers();
        if (modelQuantizers.size() != quantizers.size()) {
            throw new IllegalArgumentException("the checkpoint has " + quantizers.size() + " quantizers, the model "
                    + modelQuantizers.size());
        }
        for (int i = 0; i < quantizers.size(); i++) {
            QuantizerState s = quantizers.get(i);
            LsqQuantizer q = modelQuantizers.get(i);
            if (!q.name().equals(s.name())) {
                throw new IllegalArgumentException("the checkpoint's quantizer " + s.name() + " is not " + q.name());
            }
            if (s.initialized()) {
                q.restore(s.signed(), s.gradScale());
            }
        }
    }

    private static float[] floats(org.nd4j.linalg.api.ndarray.INDArray a) {
        return a.dup('c').castTo(DataType.FLOAT).data().asFloat();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingState t && optimizerSteps == t.optimizerSteps
                && Arrays.equals(firstMoment, t.firstMoment) && Arrays.equals(secondMoment, t.secondMoment)
                && parameters.keySet().equals(t.parameters.keySet())
                && parameters.keySet().stream().allMatch(k -> Arrays.equals(parameters.get(k), t.parameters.get(k)))
                && quantizers.equals(t.quantizers) && java.util.Objects.equals(oscillation, t.oscillation);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(optimizerSteps) * 31 + parameters.keySet().hashCode();
    }
}
