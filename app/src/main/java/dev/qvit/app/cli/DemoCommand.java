package dev.qvit.app.cli;

import dev.qvit.app.fx.WorkbenchApplication;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qvit demo}: the workbench window with the guided demo open on the bundled teacher. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Open the guided demo of low-bit quantization inside attention (Help > Guided demo in the "
                + "window): one idea per step beside live charts of the bundled teacher; Page Up/Down or the arrows "
                + "turn the steps, F5 switches presentation mode.")
public final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Spec
    CommandSpec spec;

    @Option(names = "--presentation", description = "Start in presentation mode (large type and thick lines).")
    boolean presentation;

    @Option(names = "--train-images", paramLabel = "N", description = "Train the live students of steps 2-4 on "
            + "the first N of the 6,000 bundled training images, for a slow laptop (0: all; default: 0).")
    int trainImages;

    @Override
    public Integer call() {
        if (trainImages < 0 || trainImages == 1 || trainImages > 6000) {
            spec.commandLine().getErr().println("qvit demo: --train-images must be 0 (all) or 2 to 6000, got "
                    + trainImages + ".");
            return 2;
        }
        System.setProperty(WorkbenchApplication.DEMO_TRAIN_LIMIT_PROPERTY, String.valueOf(trainImages));
        System.setProperty(WorkbenchApplication.DEMO_PROPERTY, presentation ? "presentation" : "normal");
        System.setProperty("qvit.reopenLastSession", "false");          // the demo starts from the bundled teacher
        return qvit.window().open(false, spec.commandLine().getErr());
    }
}
