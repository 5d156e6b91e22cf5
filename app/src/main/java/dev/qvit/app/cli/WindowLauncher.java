package dev.qvit.app.cli;

import dev.qvit.app.fx.WorkbenchApplication;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * Opens the workbench window once {@link WindowCheck} finds what it needs; a missing piece is one sentence.
 *
 * @param check   what the window needs from the system
 * @param toolkit starts JavaFX and returns when the window is closed (tests pass one that must not run)
 */
record WindowLauncher(WindowCheck check, Runnable toolkit) {

    /** This machine's check and the real workbench application. */
    static WindowLauncher ofSystem() {
        return new WindowLauncher(WindowCheck.ofSystem(), () -> WorkbenchApplication.open(new String[0]));
    }

    /** Runs the window until it closes; returns the process exit code (2 when it cannot open). */
    int open(boolean smoke, PrintWriter err) {
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
            toolkit.run();
        } catch (RuntimeException e) {                      // JavaFX could not start its toolkit
            err.println("qvit: " + check.explain(e));
            err.flush();
            return 2;
        }
        return smoke ? SmokePreloader.exitCode() : 0;
    }
}
