package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.io.Safetensors;
import dev.qvit.model.probe.WeightOscillation;
import dev.qvit.model.train.SliceResult;
import dev.qvit.model.train.TrainingProgress;
import dev.qvit.records.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TrainingState} as one safetensors file: {@code param/<name>} (float32, flat), {@code optimizer/m} and
 * {@code optimizer/v} over the flat parameter vector, {@code progress/order} (int32, the epoch's data order), and in
 * {@code __metadata__} the format, its version and a JSON {@code state} (optimizer step count, quantizer calibration,
 * the trainer's progress: step, epoch, the epoch's sums so far, elapsed time, finished epochs; the oscillation
 * counts). A checkpoint without oscillation entries (a teacher's, or one written before they were kept) reads back
 * with none.
 */
final class CheckpointFile {
    static final String FORMAT = "qvit-session-checkpoint";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFile() {
    }

    /** The JSON part: everything but the large arrays. */
    record Header(List<String> parameters, long optimizerSteps, List<TrainingState.QuantizerState> quantizers,
                  long step, int epoch, double lossSum, double taskLossSum, int correct, int count,
                  double[] distillationSums, double elapsedSeconds, List<EpochMetrics> history,
                  List<OscillationCount> oscillation) {
    }

    /** A tensor's oscillation counts; its directions are the array {@code oscillation/<tensor>}. */
    record OscillationCount(String tensor, long flips, long steps, boolean primed) {
    }

    static byte[] bytes(TrainingState state) {
        TrainingProgress p = state.progress();
        SliceResult so = p.epochSoFar();
        Header header = new Header(List.copyOf(state.parameters().keySet()), state.optimizerSteps(), state.quantizers(),
                p.step(), p.epoch(), so.lossSum(), so.taskLossSum(), so.correct(), so.count(), so.distillationSums(),
                p.elapsedSeconds(), p.history(), state.oscillation() == null ? null : state.oscillation().layers()
                .stream().map(l -> new OscillationCount(l.tensor(), l.flips(), l.steps(), l.primed())).toList());
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", FORMAT)
                .metadata("version", String.valueOf(VERSION));
        try {
            w.metadata("state", JSON.writeValueAsString(header));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        state.parameters().forEach((name, values) -> w.put("param/" + name, values, values.length));
        w.put("optimizer/m", state.firstMoment(), state.firstMoment().length);
        w.put("optimizer/v", state.secondMoment(), state.secondMoment().length);
        if (p.order() != null) {
            w.put("progress/order", p.order(), p.order().length);
        }
        if (state.oscillation() != null) {
            state.oscillation().layers().forEach(l -> w.put("oscillation/" + l.tensor(), l.direction(),
                    l.direction().length));
        }
        return w.toBytes();
    }

    static TrainingState read(Path file) throws SessionException {
        try {
            Safetensors.Content c = Safetensors.read(file);
            if (!FORMAT.equals(c.metadata().get("format"))) {
                throw new SessionException(file + " is not a session checkpoint (format "
                        + c.metadata().getOrDefault("format", "none") + ")");
            }
            if (!String.valueOf(VERSION).equals(c.metadata().get("version"))) {
                throw new SessionException(file + " is a checkpoint of version " + c.metadata().get("version")
                        + "; this workbench reads version " + VERSION);
            }
            Header h = JSON.readValue(c.metadata().getOrDefault("state", "null"), Header.class);
            if (h == null || h.parameters() == null) {
                throw new SessionException(file + " has no training state in its metadata");
            }
            Map<String, float[]> params = new LinkedHashMap<>();
            for (String name : h.parameters()) {
                params.put(name, c.floats("param/" + name));
            }
            int[] order = c.contains("progress/order") ? c.ints("progress/order") : null;
            TrainingProgress progress = new TrainingProgress(h.step(), h.epoch(), new SliceResult(h.lossSum(),
                    h.taskLossSum(), h.correct(), h.count(), h.distillationSums() == null ? new double[0]
                    : h.distillationSums()), h.elapsedSeconds(), h.history() == null ? List.of() : h.history(), order);
            WeightOscillation.State oscillation = null;
            if (h.oscillation() != null) {
                List<WeightOscillation.State.Layer> layers = new java.util.ArrayList<>();
                for (OscillationCount o : h.oscillation()) {
                    layers.add(new WeightOscillation.State.Layer(o.tensor(), o.flips(), o.steps(), o.primed(),
                            c.bytes("oscillation/" + o.tensor())));
                }
                oscillation = new WeightOscillation.State(layers);
            }
            return new TrainingState(params, c.floats("optimizer/m"), c.floats("optimizer/v"), h.optimizerSteps(),
                    h.quantizers() == null ? List.of() : h.quantizers(), progress, oscillation);
        } catch (SessionException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new SessionException(file + " has an unreadable training state: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new SessionException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SessionException(file + " holds an inconsistent training state: " + e);
        }
    }
}
