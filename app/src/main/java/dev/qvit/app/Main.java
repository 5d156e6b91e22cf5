package dev.qvit.app;

import dev.qvit.app.cli.QvitCommand;
import picocli.CommandLine;

/**
 * Entry point of {@code ./qvit}: subcommands run headless; with no arguments the workbench window opens. Not an
 * {@code Application} subclass: JavaFX on the class path must be launched from a plain main class.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = QvitCommand.commandLine();
        if (args.length == 0) {
            dev.qvit.app.fx.WorkbenchApplication.open(args);
            return;
        }
        System.exit(cli.execute(args));
    }
}
