package dev.qvit.app.cli;

import dev.qvit.model.experiment.Checkpointer;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainedModelFile;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.train.RunControl;
import dev.qvit.records.EpochMetrics;
import dev.qvit.sessions.Session;
import dev.qvit.sessions.SessionException;
import java.nio.file.Path;

/**
 * What {@code train}, {@code quantize} and {@code resume} share: run a spec with terminal progress into its session
 * (checkpoints, probe snapshots, every number) and, with {@code --out}, into one exported model file as well.
 */
final class ModelRun {
    private ModelRun() {
    }

    /**
     * @param session the run's session, or null
     * @param out     a model file to export at every checkpoint, or null
     * @param from    the checkpoint to go on from, or null
     * @return the last epoch's test accuracy (0..1)
     */
    static double run(ExperimentSpec spec, ExperimentRun.Teacher teacher, int threads, Session session,
                      SessionOptions options, Path out, TrainingState from) throws InterruptedException {
        Checkpointer checkpoints = checkpointer(session, out);
        RunOptions runOptions = RunOptions.headless(threads);
        if (checkpoints != null) {
            runOptions = runOptions.checkpointingTo(checkpoints, session == null ? 0 : options.checkpointEvery);
        }
        if (session != null) {
            runOptions = runOptions.probingEvery(Math.round(options.probeSeconds * 1000));
        }
        ExperimentRun run = ExperimentRun.prepare(spec, teacher, runOptions);
        if (from != null) {
            run.resumingFrom(from);
        }
        System.out.printf("%s on %s: %,d train / %,d test images, %d thread%s%s%s%n", run.spec().describe(),
                run.data().description(), run.data().train().count(), run.data().test().count(), threads,
                threads == 1 ? "" : "s", session == null ? "" : " -> session " + session.id() + " in "
                        + session.dir().getParent(), out == null ? "" : " -> " + out);
        ProgressPrinter progress = new ProgressPrinter(System.out, run.spec().training().epochs());
        RunEvent.Listener recorder = session == null ? RunEvent.Listener.NONE : session.recorder();
        ExperimentRun.Result result = run.run(e -> {
            recorder.on(e);
            e.dispatch(progress);
        }, new RunControl());
        EpochMetrics last = result.summary().last();
        return last == null ? Double.NaN : last.testAccuracy();
    }

    private static Checkpointer checkpointer(Session session, Path out) {
        Checkpointer file = out == null ? null : TrainedModelFile.checkpointer(out);
        Checkpointer kept = session == null ? null : session.checkpointer();
        if (file == null || kept == null) {
            return file != null ? file : kept;
        }
        return (spec, model, state) -> {
            file.save(spec, model, state);
            return kept.save(spec, model, state);
        };
    }

    /** Closes a session, turning a failure to do so into one sentence. */
    static void close(Session session) {
        if (session != null) {
            try {
                session.close();
            } catch (SessionException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}
