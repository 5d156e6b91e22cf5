package dev.qvit.app.cli;

import dev.qvit.app.fx.WorkbenchApplication;
import java.io.PrintWriter;
import java.util.Optional;

/** Opens the workbench window once {@link WindowCheck} finds what it needs; a missing piece is one sentence. */
final class WindowLauncher {
    private WindowLauncher() {
    }

    /** Runs the window until it closes; returns the process exit code (2 when it cannot open). */
    static int open(WindowCheck check, boolean smoke, PrintWriter err) {
        Optional<String> problem = check.problem();
        if (problem.isPresent()) {
            err.println("qvit: " + problem.get());
            err.flush();
            return 2;
        }
        if (smoke) {
            System.setProperty("javafx.preloader", SmokePreloader.class.getName());
        }
        try {
            WorkbenchApplication.open(new String[0]);
        } catch (RuntimeException e) {                      // JavaFX could not start its toolkit
            err.println("qvit: " + check.explain(e));
            err.flush();
            return 2;
        }
        return smoke ? SmokePreloader.exitCode() : 0;
    }
}
