package dev.qvit.sessions;

import dev.qvit.model.experiment.Checkpointer;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.io.Safetensors;
import dev.qvit.records.ProbeSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A session opened by its one writer (a window or a command): records a run's events as they come (steps, epochs,
 * probe snapshots, the final state) and saves its checkpoints. Numbers are committed in one transaction at least
 * every {@link #COMMIT_SECONDS} and always with a checkpoint, so that a crash loses nothing before the last one.
 * Training thread only, except {@link #close()}.
 */
public final class Session implements AutoCloseable {
    static final double COMMIT_SECONDS = 2;
    /** Checkpoint files kept: the newest ones (their rows stay in the store). */
    static final int KEPT_CHECKPOINTS = 2;

    private final Path dir;
    private final SessionInfo info;
    private final SessionLock lock;
    private final MetricsStore store;
    private final double probeSeconds;
    private ExperimentSpec spec;
    private long lastCommit = System.nanoTime();
    private long lastProbe = Long.MIN_VALUE / 2;
    private long totalSteps = -1;

    Session(Path dir, SessionInfo info, ExperimentSpec spec, SessionLock lock, MetricsStore store, double probeSeconds) {
        this.dir = dir;
        this.info = info;
        this.spec = spec;
        this.lock = lock;
        this.store = store;
        this.probeSeconds = probeSeconds;
    }

    public String id() {
        return info.id();
    }

    public Path dir() {
        return dir;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    /** Writes the run's events into the session; a failure to write ends the run (nothing is silently lost). */
    public RunEvent.Listener recorder() {
        return RunEvent.Listener.of(new RunEvent.Handler() {
            @Override
            public void started(RunEvent.Started e) {
                totalSteps = e.totalSteps();
                if (e.images() != null && !Files.exists(dir.resolve(ProbeImagesFile.FILE))) {
                    unchecked(() -> ProbeImagesFile.write(dir, e.images()));
                }
                if (e.teacher() != null && !Files.exists(dir.resolve(SessionView.TEACHER_PROBE))) {
                    unchecked(() -> writeFile(SessionView.TEACHER_PROBE, ProbeFile.bytes(new ProbeSnapshot(-1, 0,
                            e.teacher()))));
                }
                if (!e.spec().equals(spec)) {                 // the run filled in a student's size
                    spec = e.spec();
                    unchecked(() -> SessionFiles.writeText(dir.resolve(SessionFiles.SPEC), spec.toJson()));
                }
            }

            @Override
            public void step(RunEvent.Step e) {
                unchecked(() -> {
                    store.addStep(e.metrics());
                    if ((System.nanoTime() - lastCommit) / 1e9 >= COMMIT_SECONDS) {
                        commit();
                    }
                });
            }

            @Override
            public void probed(RunEvent.Probed e) {
                long now = System.nanoTime();
                boolean last = totalSteps > 0 && e.snapshot().step() + 1 >= totalSteps;
                if (last || (now - lastProbe) / 1e9 >= probeSeconds) {
                    lastProbe = now;
                    unchecked(() -> saveProbe(e.snapshot()));
                }
            }

            @Override
            public void epoch(RunEvent.Epoch e) {
                unchecked(() -> {
                    store.addEpoch(e.metrics());
                    commit();
                });
            }

            @Override
            public void finished(RunEvent.Finished e) {
                unchecked(() -> store.setState(MetricsStore.State.FINISHED, null));
            }

            @Override
            public void cancelled(RunEvent.Cancelled e) {
                unchecked(() -> store.setState(MetricsStore.State.CANCELLED, "stopped after step "
                        + e.summary().steps()));
            }

            @Override
            public void failed(RunEvent.Failed e) {
                unchecked(() -> store.setState(MetricsStore.State.FAILED, e.message()));
            }
        });
    }

    /** Saves each checkpoint as a file (flushed, renamed) and then records it with every number so far. */
    public Checkpointer checkpointer() {
        return (s, model, state) -> {
            try {
                return saveCheckpoint(state);
            } catch (SessionException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    String saveCheckpoint(TrainingState state) throws SessionException {
        long start = System.nanoTime();
        String name = SessionFiles.CHECKPOINTS + "/step-%08d.safetensors".formatted(state.progress().step());
        Path file = dir.resolve(name);
        byte[] bytes = CheckpointFile.bytes(state);
        try {
            Safetensors.writeAtomically(file, bytes);
        } catch (IOException e) {
            throw new SessionException("cannot write " + file + ": " + e.getMessage(), e);
        }
        store.addCheckpoint(new MetricsStore.FileRow(state.progress().step(), state.progress().history().size(), name,
                bytes.length, (System.nanoTime() - start) / 1e9));
        commit();
        pruneCheckpoints();
        return file.toString();
    }

    private void saveProbe(ProbeSnapshot p) throws SessionException {
        long start = System.nanoTime();
        String name = SessionFiles.PROBES + "/step-%08d.safetensors".formatted(p.step());
        byte[] bytes = ProbeFile.bytes(p);
        try {
            Safetensors.writeAtomically(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new SessionException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
        store.addProbe(new MetricsStore.FileRow(p.step(), p.epoch(), name, bytes.length,
                (System.nanoTime() - start) / 1e9));
    }

    /** Deletes the files of all but the newest {@link #KEPT_CHECKPOINTS} checkpoints, after the newest is committed. */
    private void pruneCheckpoints() throws SessionException {
        List<MetricsStore.FileRow> rows = store.checkpoints();
        for (int i = 0; i < rows.size() - KEPT_CHECKPOINTS; i++) {
            try {
                Files.deleteIfExists(dir.resolve(rows.get(i).file()));
            } catch (IOException e) {
                throw new SessionException("cannot delete an old checkpoint " + rows.get(i).file() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private void writeFile(String name, byte[] bytes) throws SessionException {
        try {
            Safetensors.writeAtomically(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new SessionException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private void commit() throws SessionException {
        store.commit();
        lastCommit = System.nanoTime();
    }

    /**
     * Readies a stopped or crashed session to go on from its last checkpoint: forgets what came after it (the run
     * computes it again) and marks the session running. Empty when it has no checkpoint (it starts over).
     */
    public java.util.Optional<TrainingState> prepareResume() throws SessionException {
        java.util.Optional<TrainingState> last;
        try (SessionView view = SessionView.open(dir)) {
            last = view.lastCheckpoint();
        }
        long step = last.map(s -> s.progress().step()).orElse(0L);
        int epochs = last.map(s -> s.progress().history().size()).orElse(0);
        store.truncateAfter(step, epochs);
        store.setState(MetricsStore.State.RUNNING, null);
        return last;
    }

    /** Copies a student's teacher into the session, so that it resumes without the teacher's original file. */
    public void keepTeacher(dev.qvit.model.vit.Backbone teacher, double accuracy) throws SessionException {
        TeacherFile.write(dir, teacher, accuracy);
    }

    /** True when {@link #keepTeacher} has copied a teacher into the session. */
    public boolean keepsTeacher() {
        return Files.exists(dir.resolve(TeacherFile.FILE));
    }

    /** The teacher kept by {@link #keepTeacher}, or empty (teacher sessions, or a session made without one). */
    public java.util.Optional<dev.qvit.model.experiment.ExperimentRun.Teacher> keptTeacher() throws SessionException {
        if (!keepsTeacher()) {
            return java.util.Optional.empty();
        }
        TeacherFile.Loaded t = TeacherFile.read(dir);
        return java.util.Optional.of(new dev.qvit.model.experiment.ExperimentRun.Teacher(t.model(), t.accuracy()));
    }

    public void writeNotes(String notes) throws SessionException {
        SessionFiles.writeText(dir.resolve(SessionFiles.NOTES), notes);
    }

    private interface Write {
        void run() throws SessionException;
    }

    private static void unchecked(Write w) {
        try {
            w.run();
        } catch (SessionException e) {
            throw new UncheckedIOException(new IOException(e.getMessage(), e));
        }
    }

    /** Commits what is left and releases the session for the next writer. */
    @Override
    public void close() throws SessionException {
        try {
            store.close();
        } finally {
            lock.close();
        }
    }
}
