package dev.qvit.app.cli;

import dev.qvit.app.fx.WorkbenchApplication;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qvit screenshots}: opens the window, runs a short student and saves one picture per view. */
@Command(name = "screenshots", mixinStandardHelpOptions = true,
        description = "Open the workbench, quantize a student for a few probe snapshots on the bundled data, save a "
                + "screenshot of every view, then close. Needs a display (e.g. xvfb-run).")
public final class ScreenshotsCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "docs", description = "Folder of the PNG files (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--bits", defaultValue = "2", description = "Bits of the student (default: ${DEFAULT-VALUE}).")
    int bits;
    @Option(names = "--images", defaultValue = "2048", description = "Training images (default: ${DEFAULT-VALUE}).")
    int images;
    @Option(names = "--snapshots", defaultValue = "12", description = "Probe snapshots to wait for (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Override
    public Integer call() {
        System.setProperty(WorkbenchApplication.TOUR_PROPERTY, out.toString());
        System.setProperty("qvit.tour.bits", String.valueOf(bits));
        System.setProperty("qvit.tour.images", String.valueOf(images));
        System.setProperty("qvit.tour.snapshots", String.valueOf(snapshots));
        WorkbenchApplication.open(new String[0]);
        return 0;
    }
}
