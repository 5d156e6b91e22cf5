package dev.qvit.app.cli;

import dev.qvit.viz.fx.ChartPane;
import java.util.Objects;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.application.Preloader;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.util.Duration;

/**
 * {@code ./qvit --smoke}: JavaFX starts this preloader (through the {@code javafx.preloader} property) next to the
 * unchanged workbench application, so the window opens exactly as {@code ./qvit} opens it. Once a window shows a
 * drawn chart (the bundled teacher's, a few seconds after start) it prints one line and JavaFX exits with code 0;
 * without a chart after {@link #TIMEOUT_SECONDS} it exits with code 1. FX thread only.
 */
public final class SmokePreloader extends Preloader {
    static final int TIMEOUT_SECONDS = 300;
    private static volatile int exitCode = 1;
    private final long started = System.nanoTime();
    private final Timeline poll = new Timeline(new KeyFrame(Duration.millis(100), e -> check()));

    @Override
    public void start(Stage preloaderStage) {
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
    }

    /** 0 once the smoke test saw a drawn chart, else 1. */
    static int exitCode() {
        return exitCode;
    }

    private void check() {
        double seconds = (System.nanoTime() - started) / 1e9;
        if (Window.getWindows().stream().filter(Window::isShowing).map(Window::getScene).anyMatch(SmokePreloader::hasDrawnChart)) {
            System.out.printf("qvit: smoke test passed: the window drew its first chart %.1f s after start%n", seconds);
            finish(0);
        } else if (seconds > TIMEOUT_SECONDS) {
            System.err.printf("qvit: smoke test failed: the window drew no chart within %d s%n", TIMEOUT_SECONDS);
            finish(1);
        }
    }

    static boolean hasDrawnChart(Scene scene) {
        return scene != null && scene.getRoot().lookupAll(".chart-pane").stream().map(Node.class::cast)
                .filter(Objects::nonNull).anyMatch(n -> n instanceof ChartPane c && c.drawn());
    }

    private void finish(int code) {
        poll.stop();
        exitCode = code;
        Platform.exit();
    }
}
