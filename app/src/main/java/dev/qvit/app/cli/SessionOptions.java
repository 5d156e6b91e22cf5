package dev.qvit.app.cli;

import dev.qvit.sessions.SessionsRoot;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a run keeps its session, and how often it saves checkpoints and probe snapshots there. */
public final class SessionOptions {
    @Option(names = "--sessions", description = "Sessions folder (default: ~/qvit/sessions, or $QVIT_HOME/sessions).")
    Path sessions;
    @Option(names = "--session", description = "Id of the new session (letters, digits, . _ + -; default: the date, "
            + "time and run label).")
    String id;
    @Option(names = "--no-session", description = "Keep no session (then only --out saves the model).")
    boolean none;
    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Save a checkpoint every N steps, and at "
            + "every epoch's end (0: epoch ends only; default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--probe-every", defaultValue = "20", description = "Keep a probe snapshot (what every view draws) "
            + "at most every S seconds, and the last one (default: ${DEFAULT-VALUE}).")
    double probeSeconds;

    SessionsRoot root(Outputs outputs) {
        return new SessionsRoot(sessions != null ? sessions : outputs.sessions());
    }

    void check() {
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be 0 (epoch ends only) or more, got "
                    + checkpointEvery);
        }
        if (!(probeSeconds > 0) || probeSeconds > 1e6) {
            throw new IllegalArgumentException("--probe-every must be a number of seconds above 0, got " + probeSeconds);
        }
    }
}
