package dev.qvit.app;

import dev.qvit.app.cli.QvitCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.logging.LogManager;

/**
 * Entry point of {@code ./qvit}: subcommands run headless; with no arguments (or {@code --smoke}) the workbench
 * window opens. Not an {@code Application} subclass: JavaFX on the class path must be launched from a plain main
 * class.
 */
public final class Main {
    /** The java.util.logging configuration (JavaFX logs through it), read before anything logs. */
    public static final String LOGGING = "/dev/qvit/app/logging.properties";

    private Main() {
    }

    public static void main(String[] args) {
        configureLogging();
        System.exit(QvitCommand.commandLine().execute(args));
    }

    /** Only what a user should read: no "Unsupported JavaFX configuration" warning at every start. */
    public static void configureLogging() {
        try (InputStream in = Main.class.getResourceAsStream(LOGGING)) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            System.err.println("qvit: cannot read the logging configuration " + LOGGING + ": " + e.getMessage());
        }
    }
}
