package dev.qvit.app.fx;

import dev.qvit.model.vit.Backbone;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.io.Checkpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The full-precision teacher a student is quantized from: the checkpoint shipped with the workbench (trained by
 * {@code ./qvit train --config tiny --data full}, see README), one the user opens, or one trained in the window.
 *
 * @param reference where it came from, as an experiment records it ({@link ExperimentSpec#BUNDLED_TEACHER}, a
 *                  checkpoint file, or a note that it was trained here and not saved)
 * @param accuracy  test accuracy recorded in the checkpoint (0..1), NaN if unknown
 */
public record TeacherSource(Backbone model, String description, String reference, double accuracy) {
    static final String BUNDLED = "/dev/qvit/app/teacher-tiny.qvit";

    /** The shipped tiny teacher. */
    public static TeacherSource bundled() throws IOException {
        try (InputStream in = TeacherSource.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IOException("the bundled teacher checkpoint is missing from the build");
            }
            Path tmp = Files.createTempFile("qvit-teacher", ".qvit");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                TeacherSource t = open(tmp);
                return new TeacherSource(t.model(), "bundled tiny teacher", ExperimentSpec.BUNDLED_TEACHER, t.accuracy());
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A teacher checkpoint; refuses quantized students with a readable message. */
    public static TeacherSource open(Path file) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(file);
        if (header.quantization() != null) {
            throw new IOException(file.getFileName() + " is a quantized student, not a full-precision teacher");
        }
        double accuracy = header.metadata() == null ? Double.NaN
                : header.metadata().path("testAccuracy").asDouble(Double.NaN);
        return new TeacherSource(Checkpoint.load(file), file.getFileName().toString(),
                file.toAbsolutePath().toString(), accuracy);
    }

    public ExperimentRun.Teacher asTeacher() {
        return new ExperimentRun.Teacher(model, accuracy);
    }

    /** "tiny teacher (bundled), 89.33 % test accuracy". */
    public String summary() {
        return "%s: %s%s".formatted(description, model.config().describe(),
                Double.isNaN(accuracy) ? "" : ", %.2f %% test accuracy".formatted(100 * accuracy));
    }
}
