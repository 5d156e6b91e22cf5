package dev.qvit.app.cli;

import dev.qvit.app.fx.WorkbenchApplication;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code qvit screenshots}: opens the window, runs a short student and saves one picture per view. */
@Command(name = "screenshots", mixinStandardHelpOptions = true,
        description = "Open the workbench, quantize a student for a few probe snapshots on the bundled data, save a "
                + "screenshot of every view (workbench-<view>.png), then close. Needs a display (e.g. xvfb-run).")
public final class ScreenshotsCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Spec
    CommandSpec spec;

    @Option(names = "--out", description = "Folder of the PNG files (default: screenshots in ~/qvit/runs).")
    Path out;
    @Option(names = "--force", description = "Write over workbench-*.png files already in --out.")
    boolean force;
    @Option(names = "--bits", defaultValue = "2", description = "Bits of the student (default: ${DEFAULT-VALUE}).")
    int bits;
    @Option(names = "--images", defaultValue = "2048", description = "Training images (default: ${DEFAULT-VALUE}).")
    int images;
    @Option(names = "--snapshots", defaultValue = "12", description = "Probe snapshots to wait for (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Override
    public Integer call() {
        Path dir = qvit.outputs().folder(out, "screenshots", ScreenshotsCommand::screenshot, force);
        System.setProperty(WorkbenchApplication.TOUR_PROPERTY, dir.toString());
        System.setProperty("qvit.tour.bits", String.valueOf(bits));
        System.setProperty("qvit.tour.images", String.valueOf(images));
        System.setProperty("qvit.tour.snapshots", String.valueOf(snapshots));
        System.setProperty("qvit.reopenLastSession", "false");          // the tour starts from the bundled teacher
        return qvit.window().open(false, spec.commandLine().getErr());
    }

    /** The tour's pictures are named workbench-<view>.png. */
    private static boolean screenshot(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("workbench-") && name.endsWith(".png");
    }
}
