package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.sessions.MetricsStore;
import dev.qvit.sessions.Session;
import dev.qvit.sessions.SessionView;
import dev.qvit.sessions.SessionsRoot;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvit resume SESSION}: go on with a stopped or crashed session from its last checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a stopped or crashed session from its last checkpoint; it ends as if never stopped.")
public final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Mixin
    ThreadOptions threads;
    @Mixin
    SessionOptions sessions;
    @Parameters(index = "0", paramLabel = "SESSION", description = "The session's id, as ./qvit sessions lists it.")
    String id;

    @Override
    public Integer call() throws Exception {
        sessions.check();
        if (sessions.id != null || sessions.none) {
            throw new IllegalArgumentException("resume continues the session it is given: --session and --no-session "
                    + "do not apply");
        }
        SessionsRoot root = sessions.root(qvit.outputs());
        try (SessionView view = root.view(id)) {
            if (view.state() == MetricsStore.State.FINISHED) {
                throw new IllegalArgumentException("session " + id + " has finished: there is nothing to resume");
            }
        }
        Session session = root.openForWriting(id, sessions.probeSeconds);
        try {
            ExperimentSpec spec = session.spec();
            ExperimentRun.Teacher teacher = spec.kind() == ExperimentSpec.Kind.STUDENT && !session.keepsTeacher()
                    ? Teachers.load(spec.teacher()) : null;
            double accuracy = ModelRun.resume(session, teacher, threads.count(), sessions);
            System.out.printf("test accuracy %.2f%%; session %s%n", 100 * accuracy, id);
        } finally {
            ModelRun.close(session);
        }
        return 0;
    }
}
