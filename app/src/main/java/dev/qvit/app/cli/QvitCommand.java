package dev.qvit.app.cli;

import dev.qvit.model.data.DatasetException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code qvit} command and its subcommands; without a subcommand it opens the workbench window. It carries
 * what every subcommand shares: where outputs go ({@link Outputs}) and how the window opens ({@link WindowLauncher}).
 */
@Command(name = "qvit", mixinStandardHelpOptions = true, version = QvitCommand.VERSION,
        description = "Q-ViT Workbench: train a ViT on Fashion-MNIST, quantize it, see what happens inside attention. "
                + "Without a command, opens the workbench window.",
        subcommands = {TrainCommand.class, QuantizeCommand.class, PtqCommand.class, AblateCommand.class,
                Fig1Command.class, EvalCommand.class, BenchCommand.class, SessionsCommand.class, ResumeCommand.class, ExportCommand.class,
                ScreenshotsCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class QvitCommand implements Callable<Integer> {
    static final String VERSION = "Q-ViT Workbench 0.1";
    private final Outputs outputs;
    private final WindowLauncher window;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--smoke", description = "Open the window, wait until it draws its first chart, then exit 0 "
            + "(the CI's test of a real window: xvfb-run -a ./qvit --smoke).")
    boolean smoke;

    QvitCommand(Outputs outputs, WindowLauncher window) {
        this.outputs = outputs;
        this.window = window;
    }

    @Override
    public Integer call() {
        return window.open(smoke, spec.commandLine().getErr());
    }

    Outputs outputs() {
        return outputs;
    }

    WindowLauncher window() {
        return window;
    }

    /** The user's command line: outputs under their runs folder, this machine's window check. */
    public static CommandLine commandLine() {
        return commandLine(new QvitCommand(Outputs.ofUser(), WindowLauncher.ofSystem()));
    }

    /** A picocli command line whose errors are one readable sentence, not a stack trace or the usage text. */
    static CommandLine commandLine(QvitCommand command) {
        CommandLine cli = new CommandLine(command);
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().version(VERSION));
        cli.setParameterExceptionHandler(QvitCommand::badArguments);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof DatasetException || e instanceof IOException
                    || e instanceof UncheckedIOException || e instanceof IllegalStateException
                    || e instanceof dev.qvit.sessions.SessionException) {
                line.getErr().println("qvit: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        String hint = "";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            List<String> some = unmatched.getSuggestions().stream().limit(3).toList();
            hint = " (did you mean " + String.join(" or ", some) + "?)";
        }
        err.println("qvit: " + e.getMessage() + hint + "; '" + line.getCommandSpec().qualifiedName() + " --help' lists "
                + "the options");
        err.flush();
        return line.getCommandSpec().exitCodeOnInvalidInput();
    }
}
