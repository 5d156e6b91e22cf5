package dev.qvit.app.task;

import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.ProbeSnapshot;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.train.RunControl;
import javafx.application.Platform;
import javafx.concurrent.Task;

/**
 * A {@link TrainingJob} as a JavaFX task: progress and a status message (epoch, step, images/s, ETA) through the
 * task's coalescing updates, events through a {@link RunFeed}. Pause, resume and stop act between training steps;
 * stopping ends the task normally with a summary marked cancelled, so the model trained so far is kept.
 */
public final class TrainingTask extends Task<TrainingJob.Result> {
    private final TrainingJob job;
    private final RunFeed feed;
    private final RunControl control = new RunControl();

    public TrainingTask(TrainingJob job, RunFeed feed) {
        this.job = job;
        this.feed = feed;
    }

    @Override
    protected TrainingJob.Result call() throws Exception {
        assert !Platform.isFxApplicationThread();
        updateMessage("loading data…");
        return job.run(new TrainingJob.Observer() {
            @Override
            public void onStart(TrainingJob.RunStart start) {
                feed.onStart(start);
                updateMessage(start.description());
            }

            @Override
            public void onStep(StepMetrics m) {
                feed.onStep(m);
                updateProgress(m.step() + 1, m.totalSteps());
                updateMessage(status(m));
            }

            @Override
            public void onSnapshot(ProbeSnapshot s) {
                feed.onSnapshot(s);
            }

            @Override
            public void onEpoch(EpochMetrics m) {
                feed.onEpoch(m);
            }
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
