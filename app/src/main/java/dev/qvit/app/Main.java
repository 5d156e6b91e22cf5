package dev.qvit.app;

import dev.qvit.app.cli.QvitCommand;
import picocli.CommandLine;

/**
 * Entry point of {@code ./qvit}: subcommands run headless; with no arguments the workbench opens (until the
 * window exists, the help is printed).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = QvitCommand.commandLine();
        if (args.length == 0) {
            cli.usage(System.out);
            return;
        }
        System.exit(cli.execute(args));
    }
}
