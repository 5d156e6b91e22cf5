package dev.qvit.sessions;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.Checkpointer;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.train.RunControl;
import java.util.Optional;

/**
 * An experiment run that records into its session: every event into the metrics store and the probe snapshots,
 * checkpoints into the session, a student's teacher kept beside it. The one place where a session and a run are
 * put together: the window's training task, {@code train}/{@code quantize}/{@code resume} and the grid runner all
 * start or resume through it.
 */
public final class SessionRun {
    private final Session session;
    private final ExperimentRun run;
    private final ExperimentRun.Teacher teacher;
    private final Optional<TrainingState> checkpoint;

    private SessionRun(Session session, ExperimentSpec spec, ExperimentRun.Teacher teacher,
                       Optional<TrainingState> checkpoint, RunOptions options, int checkpointEvery,
                       FashionMnist.Splits data) {
        this.session = session;
        this.teacher = teacher;
        this.checkpoint = checkpoint;
        RunOptions o = options.checkpointingTo(alsoTo(options.checkpointer(), session.checkpointer()), checkpointEvery);
        this.run = data == null ? ExperimentRun.prepare(spec, teacher, o) : ExperimentRun.prepare(spec, teacher, o, data);
        checkpoint.ifPresent(run::resumingFrom);
    }

    /**
     * A new session's run from its first step; a student's teacher is copied into the session so that it resumes
     * without the teacher's file.
     *
     * @param options         threads and probing; a checkpointer in it (an exported model file) is written beside the
     *                        session's
     * @param checkpointEvery checkpoint every this many steps as well as at epoch ends (0: epoch ends only)
     * @param data            the run's data when the caller has loaded it already (a grid), else null
     */
    public static SessionRun start(Session session, ExperimentSpec spec, ExperimentRun.Teacher teacher,
                                   RunOptions options, int checkpointEvery, FashionMnist.Splits data)
            throws SessionException {
        ExperimentRun.Teacher t = spec.kind() == ExperimentSpec.Kind.STUDENT ? teacher : null;
        if (t != null) {
            session.keepTeacher(t.model(), t.testAccuracy());
        }
        return new SessionRun(session, spec, t, Optional.empty(), options, checkpointEvery, data);
    }

    /**
     * A stopped or crashed session's run from its last checkpoint (from the start if it has none), with the teacher
     * the session kept, else {@code teacher}. What was recorded after the checkpoint is forgotten: the run computes
     * it again, to the same numbers.
     */
    public static SessionRun resume(Session session, ExperimentRun.Teacher teacher, RunOptions options,
                                    int checkpointEvery, FashionMnist.Splits data) throws SessionException {
        ExperimentSpec spec = session.spec();
        ExperimentRun.Teacher t = spec.kind() == ExperimentSpec.Kind.TEACHER ? null
                : session.keptTeacher().orElse(teacher);
        return new SessionRun(session, spec, t, session.prepareResume(), options, checkpointEvery, data);
    }

    /** Trains to the end or until cancelled; every event goes into the session, then to {@code listener}. */
    public ExperimentRun.Result run(RunEvent.Listener listener, RunControl control) throws InterruptedException {
        RunEvent.Listener recorder = session.recorder();
        return run.run(e -> {
            recorder.on(e);
            listener.on(e);
        }, control);
    }

    public ExperimentRun experiment() {
        return run;
    }

    /** The teacher the run distils from (null for a teacher's run). */
    public ExperimentRun.Teacher teacher() {
        return teacher;
    }

    /** The checkpoint a resumed run goes on from. */
    public Optional<TrainingState> checkpoint() {
        return checkpoint;
    }

    /** The step the run starts at: 0, or its checkpoint's. */
    public long fromStep() {
        return checkpoint.map(s -> s.progress().step()).orElse(0L);
    }

    private static Checkpointer alsoTo(Checkpointer extra, Checkpointer kept) {
        if (extra == null) {
            return kept;
        }
        return (spec, model, state) -> {
            extra.save(spec, model, state);
            return kept.save(spec, model, state);
        };
    }
}
