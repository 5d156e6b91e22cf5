package dev.qvit.sessions;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.io.Safetensors;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.io.ModelConfigJson;
import dev.qvit.model.vit.Backbone;
import dev.qvit.model.vit.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A student session's full-precision teacher, copied into the session ({@code teacher.safetensors}: every parameter
 * by name, float32, with the model size and test accuracy in {@code __metadata__}), so that the folder resumes on
 * another machine without the teacher's original file.
 */
final class TeacherFile {
    static final String FILE = "teacher.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TeacherFile() {
    }

    static void write(Path dir, Backbone teacher, double accuracy) throws SessionException {
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", "qvit-teacher").metadata("version", "1")
                .metadata("testAccuracy", Double.toString(accuracy));
        w.metadata("config", ModelConfigJson.toTree(teacher.config()).toString());
        for (Parameter p : teacher.parameters().parameters()) {
            w.put(p.name(), p.value().dup('c').castTo(DataType.FLOAT).data().asFloat(), p.shape());
        }
        try {
            w.write(dir.resolve(FILE));
        } catch (IOException e) {
            throw new SessionException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The kept teacher's recorded test accuracy (NaN when unknown). */
    static double accuracy(Path dir) throws SessionException {
        Path f = dir.resolve(FILE);
        try {
            return Double.parseDouble(Safetensors.read(f).metadata().getOrDefault("testAccuracy", "NaN"));
        } catch (IOException | NumberFormatException e) {
            throw new SessionException(f + ": " + e.getMessage(), e);
        }
    }

    /** The teacher and its test accuracy (NaN when unknown). */
    record Loaded(Backbone model, double accuracy) {
    }

    static Loaded read(Path dir) throws SessionException {
        Path f = dir.resolve(FILE);
        try {
            Safetensors.Content c = Safetensors.read(f);
            if (!"qvit-teacher".equals(c.metadata().get("format"))) {
                throw new SessionException(f + " is not a session's teacher");
            }
            ModelConfig config = ModelConfigJson.fromTree(JSON.readTree(c.metadata().getOrDefault("config", "null")));
            Backbone model = config.empty(DataType.FLOAT, null);
            for (Parameter p : model.parameters().parameters()) {
                p.value().assign(Nd4j.createFromArray(c.floats(p.name(), p.shape())).reshape(p.shape()));
            }
            return new Loaded(model, Double.parseDouble(c.metadata().getOrDefault("testAccuracy", "NaN")));
        } catch (SessionException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new SessionException(f + ": " + (e.getMessage() == null ? e.toString()
                    : e.getMessage().lines().findFirst().orElse("")), e);
        }
    }
}
