package dev.qvit.sessions;

import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.train.Trainer;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeImages;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session opened for reading: its spec, numbers, probe snapshots, checkpoints and notes. Works while another
 * process writes the session (SQLite readers and the one writer do not block each other for long); nothing is
 * written.
 */
public final class SessionView implements AutoCloseable {
    /** The teacher's snapshot on the probe batch (student sessions), what the views compare the student with. */
    static final String TEACHER_PROBE = "teacher-probe.safetensors";
    private final Path dir;
    private final SessionInfo info;
    private final ExperimentSpec spec;
    private final MetricsStore store;

    private SessionView(Path dir, SessionInfo info, ExperimentSpec spec, MetricsStore store) {
        this.dir = dir;
        this.info = info;
        this.spec = spec;
        this.store = store;
    }

    /** @throws SessionException naming the first file that is missing, foreign, corrupt or of a newer version */
    public static SessionView open(Path dir) throws SessionException {
        SessionInfo info = SessionFiles.readInfo(dir);
        ExperimentSpec spec = SessionFiles.readSpec(dir);
        return new SessionView(dir, info, spec, MetricsStore.open(dir, false));
    }

    public Path dir() {
        return dir;
    }

    public SessionInfo info() {
        return info;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    /** The recorded state, CRASHED when it says running but no process holds the session. */
    public MetricsStore.State state() throws SessionException {
        MetricsStore.State s = store.recordedState();
        return s == MetricsStore.State.RUNNING && SessionLock.free(dir) ? MetricsStore.State.CRASHED : s;
    }

    public Optional<String> statusMessage() throws SessionException {
        return store.statusMessage();
    }

    public List<StepMetrics> steps() throws SessionException {
        return store.steps();
    }

    /** Steps logged (the last one's index + 1), without reading them. */
    /** The steps the run plans in all (0 before its first step). */
    public long totalSteps() throws SessionException {
        return (long) store.progress()[0];
    }

    /** Training seconds at the last recorded step. */
    public double elapsedSeconds() throws SessionException {
        return store.progress()[1];
    }

    public long stepCount() throws SessionException {
        return store.stepCount();
    }

    public List<EpochMetrics> epochs() throws SessionException {
        return store.epochs();
    }

    public List<MetricsStore.FileRow> probes() throws SessionException {
        return store.probes();
    }

    public List<MetricsStore.FileRow> checkpoints() throws SessionException {
        return store.checkpoints();
    }

    public ProbeSnapshot probe(MetricsStore.FileRow row) throws SessionException {
        return ProbeFile.read(inside(row.file()));
    }

    /** The teacher's snapshot on the probe batch (student sessions), or empty. */
    public Optional<ModelSnapshot> teacherSnapshot() throws SessionException {
        return Files.exists(dir.resolve(TEACHER_PROBE))
                ? Optional.of(ProbeFile.read(dir.resolve(TEACHER_PROBE)).model()) : Optional.empty();
    }

    /** The last probe snapshot kept, or empty before the first. */
    public Optional<ProbeSnapshot> lastProbe() throws SessionException {
        List<MetricsStore.FileRow> rows = store.probes();
        return rows.isEmpty() ? Optional.empty() : Optional.of(probe(rows.get(rows.size() - 1)));
    }

    /** The last checkpoint the store records (its file read and checked), or empty before the first. */
    public Optional<TrainingState> lastCheckpoint() throws SessionException {
        List<MetricsStore.FileRow> rows = store.checkpoints();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(CheckpointFile.read(inside(rows.get(rows.size() - 1).file())));
    }

    /** The test accuracy of the last finished epoch, NaN before the first. */
    public double testAccuracy() throws SessionException {
        List<EpochMetrics> e = store.epochs();
        return e.isEmpty() ? Double.NaN : e.get(e.size() - 1).testAccuracy();
    }

    public String notes() throws SessionException {
        Path f = dir.resolve(SessionFiles.NOTES);
        return Files.exists(f) ? SessionFiles.read(f) : "";
    }

    /**
     * The run as its events, in the order the views take them: what the window shows of a past (or running)
     * session, every kept probe snapshot included. Reads every probe file: call it off the FX thread.
     */
    public List<RunEvent> replay() throws SessionException {
        List<RunEvent> out = new ArrayList<>();
        List<StepMetrics> steps = steps();
        List<EpochMetrics> epochs = epochs();
        ProbeImages images = Files.exists(dir.resolve(ProbeImagesFile.FILE)) ? ProbeImagesFile.read(dir) : null;
        ModelSnapshot teacher = Files.exists(dir.resolve(TEACHER_PROBE))
                ? ProbeFile.read(dir.resolve(TEACHER_PROBE)).model() : null;
        double teacherAccuracy = Files.exists(dir.resolve(TeacherFile.FILE)) ? TeacherFile.accuracy(dir) : Double.NaN;
        long total = steps.isEmpty() ? 0 : steps.get(0).totalSteps();
        out.add(new RunEvent.Started(spec, "%s (session %s)".formatted(info.name(), dir.getFileName()),
                spec.data().trainLimit(), spec.data().testLimit(), total, images, teacher, teacherAccuracy));
        steps.forEach(s -> out.add(new RunEvent.Step(s)));
        for (MetricsStore.FileRow p : probes()) {
            out.add(new RunEvent.Probed(probe(p)));
        }
        epochs.forEach(e -> out.add(new RunEvent.Epoch(e)));
        long done = steps.isEmpty() ? 0 : steps.get(steps.size() - 1).step() + 1;
        MetricsStore.State state = state();
        Trainer.Summary summary = new Trainer.Summary(epochs, state != MetricsStore.State.FINISHED, done);
        switch (state) {
            case FINISHED -> out.add(new RunEvent.Finished(summary));
            case FAILED -> out.add(new RunEvent.Failed(statusMessage().orElse("failed")));
            case CANCELLED, CRASHED -> out.add(new RunEvent.Cancelled(summary));
            default -> { }
        }
        return out;
    }

    /** A file the store names, which must lie inside the session folder. */
    private Path inside(String relative) throws SessionException {
        Path f = dir.resolve(relative).normalize();
        if (!f.startsWith(dir.normalize())) {
            throw new SessionException(dir.resolve(MetricsStore.FILE) + " names a file outside its session: " + relative);
        }
        return f;
    }

    @Override
    public void close() throws SessionException {
        store.close();
    }
}
