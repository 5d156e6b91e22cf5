package dev.qvit.app.cli;

import dev.qvit.app.fx.TeacherSource;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import java.io.IOException;
import java.nio.file.Path;

/** The teacher a spec names: the bundled one, or a full-precision checkpoint file. */
public final class Teachers {
    private Teachers() {
    }

    public static ExperimentRun.Teacher load(String teacher) throws IOException {
        return teacher.equals(ExperimentSpec.BUNDLED_TEACHER) ? TeacherSource.bundled().asTeacher()
                : QuantizeCommand.loadTeacher(Path.of(teacher));
    }
}
