package dev.qvit.model.experiment;

import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.vit.Backbone;
import dev.qvit.records.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model saved as one checkpoint file, the same from the window and the command line: the weights and,
 * as metadata, the spec that trained it, its label, the epochs so far and the last test accuracy.
 */
public final class TrainedModelFile {
    private TrainedModelFile() {
    }

    /** Writes atomically (temporary file, then rename). */
    public static void save(Path file, ExperimentSpec spec, Backbone model, List<EpochMetrics> history)
            throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("label", spec.label());
        meta.put("spec", spec);
        if (!history.isEmpty()) {
            meta.put("testAccuracy", history.get(history.size() - 1).testAccuracy());
        }
        meta.put("epochs", history);
        Checkpoint.save(file, spec.kind() == ExperimentSpec.Kind.TEACHER ? "teacher" : "student", model, meta);
    }

    /** Saves the run's model to {@code file} at each checkpoint, over the previous one. */
    public static Checkpointer checkpointer(Path file) {
        return (spec, model, state) -> {
            save(file, spec, model, state.progress().history());
            return file.toString();
        };
    }
}
