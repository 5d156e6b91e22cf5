package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.PrimerLight;
import dev.qvit.app.Main;
import dev.qvit.app.fx.WorkbenchWindow;
import dev.qvit.viz.fx.ChartPane;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;
import org.jfree.chart.ChartFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** A launch prints only what a user should read; the smoke test recognises a drawn chart. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class QuietLaunchTest {
    private final StackPane root = new StackPane();
    private Stage stage;

    @Start
    void start(Stage s) {
        stage = s;
        stage.setScene(new Scene(root, 400, 300));
        stage.show();
    }

    @Test
    void theLauncherSilencesJavaFxsClassPathWarningButKeepsStyleSheetWarnings() {
        Main.configureLogging();
        assertThat(Logger.getLogger("javafx").isLoggable(Level.WARNING)).isFalse();
        assertThat(Logger.getLogger("javafx.css").isLoggable(Level.WARNING)).isTrue();
    }

    @Test
    void theStatusBarIsStyledWithoutControlsFxCastWarnings(FxRobot robot) {
        // given the window's themes and a ControlsFX status bar, whose style sheet uses a colour AtlantaFX lacks
        Main.configureLogging();
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger css = Logger.getLogger("javafx.css");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        css.addHandler(handler);
        try {
            // when the status bar is styled with the workbench's style sheet on top of the theme
            robot.interact(() -> {
                Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
                root.getStylesheets().add(WorkbenchWindow.class.getResource("workbench.css").toExternalForm());
                root.getChildren().setAll(new StatusBar());
                root.applyCss();
            });
            // then JavaFX logs no style-sheet warning
            assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
        } finally {
            css.removeHandler(handler);
        }
    }

    @Test
    void theSmokeTestWaitsForAChartToBeDrawnNotJustPlaced(FxRobot robot) throws Exception {
        ChartPane pane = new ChartPane();
        robot.interact(() -> root.getChildren().setAll(pane));
        assertThat(SmokePreloader.hasDrawnChart(stage.getScene())).as("a placeholder is not a chart").isFalse();
        robot.interact(() -> pane.setChart(ChartFactory.createXYLineChart("t", "x", "y", null)));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> SmokePreloader.hasDrawnChart(stage.getScene()));
        assertThat(SmokePreloader.hasDrawnChart(stage.getScene())).isTrue();
    }
}
