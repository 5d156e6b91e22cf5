package dev.qvit.app.cli;

import dev.qvit.sessions.SessionSummary;
import dev.qvit.sessions.SessionsRoot;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qvit sessions}: the sessions folder as a table. */
@Command(name = "sessions", mixinStandardHelpOptions = true, description = "List the sessions: id, date, model, bits, "
        + "IRM, DGD, test accuracy, steps and state (running, finished, cancelled, failed, crashed).")
public final class SessionsCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Option(names = "--sessions", description = "Sessions folder (default: ~/qvit/sessions, or $QVIT_HOME/sessions).")
    Path sessions;

    @Override
    public Integer call() throws Exception {
        SessionsRoot root = new SessionsRoot(sessions != null ? sessions : qvit.outputs().sessions());
        List<SessionSummary> all = root.list();
        if (all.isEmpty()) {
            System.out.println("no sessions in " + root.dir());
            return 0;
        }
        String row = "%-44s %-16s %-6s %-4s %-12s %-8s %8s %7s  %s%n";
        System.out.printf(row, "id", "created", "model", "bits", "IRM", "DGD", "accuracy", "steps", "state");
        for (SessionSummary s : all) {
            if (s.problem() != null) {
                System.out.printf("%-44s unreadable: %s%n", s.id(), s.problem());
                continue;
            }
            System.out.printf(row, s.id(), s.created().substring(0, Math.min(16, s.created().length())).replace('T', ' '),
                    s.config(), s.bits() == null ? "FP" : s.bits(), s.irm(), s.dgd(),
                    Double.isNaN(s.accuracy()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * s.accuracy()),
                    s.steps(), s.state().name().toLowerCase(Locale.ROOT));
        }
        System.out.println(all.size() + " session" + (all.size() == 1 ? "" : "s") + " in " + root.dir());
        return 0;
    }
}
