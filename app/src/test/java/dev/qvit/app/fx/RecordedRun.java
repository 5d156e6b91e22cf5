package dev.qvit.app.fx;

import dev.qvit.app.task.RunFeed;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VitConfig;
import java.util.List;

/**
 * A short real run recorded once per test JVM, so that the window tests that only look at views can show a student
 * without training one each: the bundled teacher, and a W2A2 IRM(distribution)+DGD student trained for 3 steps on
 * 384 bundled images, probed after every step (its events as the window's feed delivers them).
 */
final class RecordedRun {
    static final int IMAGES = 384;
    private static TeacherSource teacher;
    private static List<RunEvent> events;

    private RecordedRun() {
    }

    /** The bundled teacher, loaded once. */
    static synchronized TeacherSource teacher() throws Exception {
        if (teacher == null) {
            teacher = TeacherSource.bundled();
        }
        return teacher;
    }

    /** The run's events: its start (with the teacher's probe), every step, every probe snapshot, the epoch. */
    static synchronized List<RunEvent> events() throws Exception {
        if (events == null) {
            ExperimentSpec spec = ExperimentSpec.student(VitConfig.tiny(), new ExperimentSpec.Data("bundled", IMAGES, 0),
                    ExperimentSpec.BUNDLED_TEACHER, QuantizationConfig.of(2, QuantizationConfig.Rectification.DISTRIBUTION),
                    DistillationSettings.on(0.1), 1, 0);
            RunFeed feed = new RunFeed();
            ExperimentRun.prepare(spec, teacher().asTeacher(), RunOptions.headless(2).probingEvery(0))
                    .run(feed, new RunControl());
            events = List.copyOf(feed.drain());
        }
        return events;
    }
}
