package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainedModelFile;
import dev.qvit.model.train.RunControl;
import dev.qvit.records.EpochMetrics;
import dev.qvit.sessions.Session;
import dev.qvit.sessions.SessionException;
import dev.qvit.sessions.SessionRun;
import java.nio.file.Path;

/**
 * What {@code train}, {@code quantize} and {@code resume} share: run a spec with terminal progress into its session
 * (checkpoints, probe snapshots, every number) and, with {@code --out}, into one exported model file as well.
 */
final class ModelRun {
    private ModelRun() {
    }

    /**
     * Runs a spec from its first step.
     *
     * @param session the run's session, or null
     * @param out     a model file to export at every checkpoint, or null
     * @return the last epoch's test accuracy (0..1)
     */
    static double start(ExperimentSpec spec, ExperimentRun.Teacher teacher, int threads, Session session,
                        SessionOptions options, Path out) throws InterruptedException, SessionException {
        RunOptions runOptions = RunOptions.headless(threads);
        if (out != null) {
            runOptions = runOptions.checkpointingTo(TrainedModelFile.checkpointer(out), 0);
        }
        if (session == null) {
            ExperimentRun run = ExperimentRun.prepare(spec, teacher, runOptions);
            return last(run.run(report(run, threads, null, out), new RunControl()));
        }
        SessionRun run = SessionRun.start(session, spec, teacher, probing(runOptions, options),
                options.checkpointEvery, null);
        return last(run.run(report(run.experiment(), threads, session, out), new RunControl()));
    }

    /**
     * Goes on with a stopped or crashed session from its last checkpoint.
     *
     * @param teacher a student's teacher when the session kept none, else null
     */
    static double resume(Session session, ExperimentRun.Teacher teacher, int threads, SessionOptions options)
            throws InterruptedException, SessionException {
        SessionRun run = SessionRun.resume(session, teacher, probing(RunOptions.headless(threads), options),
                options.checkpointEvery, null);
        System.out.println(run.checkpoint().map(s -> "resuming session %s from step %d (%d epoch%s done)".formatted(
                session.id(), s.progress().step(), s.progress().history().size(),
                s.progress().history().size() == 1 ? "" : "s"))
                .orElse("session " + session.id() + " has no checkpoint yet: it starts over"));
        return last(run.run(report(run.experiment(), threads, session, null), new RunControl()));
    }

    private static RunOptions probing(RunOptions o, SessionOptions options) {
        return o.probingEvery(Math.round(options.probeSeconds * 1000));
    }

    /** Prints what runs where; @return the listener that prints the run's progress */
    private static RunEvent.Listener report(ExperimentRun run, int threads, Session session, Path out) {
        System.out.printf("%s on %s: %,d train / %,d test images, %d thread%s%s%s%n", run.spec().describe(),
                run.data().description(), run.data().train().count(), run.data().test().count(), threads,
                threads == 1 ? "" : "s", session == null ? "" : " -> session " + session.id() + " in "
                        + session.dir().getParent(), out == null ? "" : " -> " + out);
        ProgressPrinter progress = new ProgressPrinter(System.out, run.spec().training().epochs());
        return e -> e.dispatch(progress);
    }

    private static double last(ExperimentRun.Result result) {
        EpochMetrics last = result.summary().last();
        return last == null ? Double.NaN : last.testAccuracy();
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
