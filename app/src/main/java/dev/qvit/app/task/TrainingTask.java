package dev.qvit.app.task;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.records.StepMetrics;
import dev.qvit.model.train.RunControl;
import javafx.application.Platform;
import javafx.concurrent.Task;

/**
 * An {@link ExperimentRun} as a JavaFX task: progress and a status message (epoch, step, images/s, ETA) through the
 * task's coalescing updates, events through a {@link RunFeed}. Pause, resume and stop act between training steps;
 * stopping ends the task normally with a summary marked cancelled, so the model trained so far is kept.
 */
public final class TrainingTask extends Task<ExperimentRun.Result> {
    private final ExperimentRun run;
    private final RunFeed feed;
    private final RunControl control = new RunControl();

    public TrainingTask(ExperimentRun run, RunFeed feed) {
        this.run = run;
        this.feed = feed;
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
        return run.run(event -> {
            feed.on(event);
            event.dispatch(status);
        }, control);
    }

    /** The status line: names the task loss and, when DGD is added to it, the objective task + λ·DGD. */
    static String status(StepMetrics m) {
        String loss = String.format("task loss %.3f", m.taskLoss())
                + (m.loss() == m.taskLoss() ? "" : String.format(" · task + λ·DGD %.3f", m.loss()));
        return String.format("epoch %d · step %d/%d · %s · %.0f img/s · ETA %s", m.epoch() + 1, m.step() + 1,
                m.totalSteps(), loss, m.imagesPerSecond(), clock(m.etaSeconds()));
    }

    static String clock(double seconds) {
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
