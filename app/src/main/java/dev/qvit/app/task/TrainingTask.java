package dev.qvit.app.task;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.sessions.Session;
import dev.qvit.sessions.SessionException;
import dev.qvit.sessions.SessionRun;
import dev.qvit.records.StepMetrics;
import dev.qvit.model.train.RunControl;
import javafx.application.Platform;
import javafx.concurrent.Task;

/**
 * An experiment run as a JavaFX task: on its own thread it opens the run's session, loads the data, trains, and
 * reports progress and a status message (epoch, step, images/s, ETA) through the task's coalescing updates and every
 * event through a {@link RunFeed} and into the session. Pause, resume and stop act between training steps; stopping
 * ends the task normally with a summary marked cancelled, so the model trained so far is kept.
 */
public final class TrainingTask extends Task<ExperimentRun.Result> {
    /** Checkpoints of a window run: every this many steps and at every epoch's end. */
    public static final int CHECKPOINT_EVERY = 100;
    private final ExperimentSpec spec;
    private final ExperimentRun.Teacher teacher;
    private final RunOptions options;
    private final RunFeed feed;
    private final SessionOpener sessions;
    private final boolean resume;
    private final RunControl control = new RunControl();
    private volatile String sessionId;

    /** Opens the session a run records into, on the training thread. */
    @FunctionalInterface
    public interface SessionOpener {
        Session open(ExperimentSpec spec) throws SessionException;
    }

    /**
     * @param spec     checked with {@link ExperimentRun#check} (its data is loaded by the task)
     * @param sessions opens the run's session, or null for none
     */
    public TrainingTask(ExperimentSpec spec, ExperimentRun.Teacher teacher, RunOptions options, RunFeed feed,
                        SessionOpener sessions) {
        this(spec, teacher, options, feed, sessions, false);
    }

    /**
     * @param resume the session {@code sessions} opens is a stopped or crashed one: the run goes on from its last
     *               checkpoint, with the teacher the session kept (else {@code teacher})
     */
    public TrainingTask(ExperimentSpec spec, ExperimentRun.Teacher teacher, RunOptions options, RunFeed feed,
                        SessionOpener sessions, boolean resume) {
        this.resume = resume;
        this.spec = spec;
        this.teacher = teacher;
        this.options = options;
        this.feed = feed;
        this.sessions = sessions;
    }

    @Override
    protected ExperimentRun.Result call() throws Exception {
        assert !Platform.isFxApplicationThread();
        updateMessage("loading data…");
        RunEvent.Handler status = new RunEvent.Handler() {
            @Override
            public void started(RunEvent.Started e) {
                updateMessage(e.description());
            }

            @Override
            public void step(RunEvent.Step e) {
                updateProgress(e.metrics().step() + 1, e.metrics().totalSteps());
                updateMessage(status(e.metrics()));
            }
        };
        RunEvent.Listener listener = event -> {
            feed.on(event);
            event.dispatch(status);
        };
        if (sessions == null) {
            return ExperimentRun.prepare(spec, teacher, options).run(listener, control);
        }
        Session session = sessions.open(spec);
        try {
            sessionId = session.id();
            SessionRun run = resume ? SessionRun.resume(session, teacher, options, CHECKPOINT_EVERY, null)
                    : SessionRun.start(session, spec, teacher, options, CHECKPOINT_EVERY, null);
            return run.run(listener, control);
        } finally {
            session.close();
        }
    }

    /** The id of the session the run records into, once it is open (null before, or without one). */
    public String sessionId() {
        return sessionId;
    }

    /** The status line: names the task loss and, when DGD is added to it, the objective task + λ·DGD. */
    static String status(StepMetrics m) {
        String loss = String.format("task loss %.3f", m.taskLoss())
                + (m.loss() == m.taskLoss() ? "" : String.format(" · task + λ·DGD %.3f", m.loss()));
        return String.format("epoch %d · step %d/%d · %s · %.0f img/s · ETA %s", m.epoch() + 1, m.step() + 1,
                m.totalSteps(), loss, m.imagesPerSecond(), clock(m.etaSeconds()));
    }

    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    public void pause() {
        control.pause();
    }

    public void resume() {
        control.resume();
    }

    public boolean paused() {
        return control.isPaused();
    }

    /** True once {@link #stop()} was asked. */
    public boolean stopping() {
        return control.isCancelled();
    }

    /** Asks the run to stop after the current step. */
    public void stop() {
        control.cancel();
    }
}
