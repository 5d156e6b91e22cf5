package dev.qvit.app.fx;

import dev.qvit.app.task.RunFeed;
import dev.qvit.app.task.RunSettings;
import dev.qvit.app.task.TrainingJob;
import dev.qvit.model.train.RunControl;
import java.util.List;

/**
 * A short real run recorded once per test JVM, so that the window tests that only look at views can show a student
 * without training one each: the bundled teacher, and a W2A2 IRM(distribution)+DGD student trained for 3 steps on
 * 384 bundled images, probed after every step (its events as the window's feed delivers them).
 */
final class RecordedRun {
    static final int IMAGES = 384;
    private static TeacherSource teacher;
    private static List<Object> events;

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
    static synchronized List<Object> events() throws Exception {
        if (events == null) {
            RunSettings settings = new RunSettings(RunSettings.Kind.STUDENT, "tiny", 2, true, "distribution", true,
                    0.1, 1, 2e-4, 0, "bundled", IMAGES, 2);
            RunFeed feed = new RunFeed();
            new TrainingJob(settings, teacher().model(), teacher().accuracy(), 0).run(feed, new RunControl());
            events = List.copyOf(feed.drain());
        }
        return events;
    }
}
