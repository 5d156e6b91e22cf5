package dev.qvit.app.cli;

import dev.qvit.model.data.DatasetException;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code qvit} command and its subcommands. */
@Command(name = "qvit", mixinStandardHelpOptions = true, version = "Q-ViT Workbench 0.1",
        description = "Q-ViT Workbench: train a ViT on Fashion-MNIST, quantize it, see what happens inside attention.",
        subcommands = {TrainCommand.class, QuantizeCommand.class, AblateCommand.class, Fig1Command.class, EvalCommand.class, BenchCommand.class, ScreenshotsCommand.class, CommandLine.HelpCommand.class})
public final class QvitCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A picocli command line whose errors are one readable sentence, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new QvitCommand());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof DatasetException || e instanceof IOException
                    || e instanceof IllegalStateException) {
                line.getErr().println("qvit: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }
}
