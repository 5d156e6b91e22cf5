package dev.qvit.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.viz.fx.ChartPane;
import dev.qvit.viz.fx.Selection;
import java.nio.file.Path;
import org.jfree.chart.entity.XYItemEntity;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The workbench window, headless: a short QAT run on a slice of the bundled data feeds the views. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class WorkbenchWindowTest {
    private Workbench workbench;

    @Start
    void start(Stage stage) {
        WorkbenchWindow window = new WorkbenchWindow(stage);
        workbench = window.workbench();
        stage.show();
        workbench.loadBundledTeacher();
    }

    private void awaitTeacher() throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> workbench.teacher() != null
                && workbench.state().snapshotCount() == 1);
    }

    @Test
    void opensOnTheBundledTeacherWithItsDistributionsShown() throws Exception {
        awaitTeacher();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.teacher().model().config().dim()).isEqualTo(64);
        assertThat(workbench.distributions.mainChart().chart()).isNotNull();
        assertThat(points(workbench.distributions.mainChart().chart())).isGreaterThan(50);
    }

    @Test
    void refusesOutOfRangeSettingsWithTheReasonNextToTheField(FxRobot robot) throws Exception {
        awaitTeacher();
        // given an epoch count that is not a number
        robot.interact(() -> robot.lookup("#epochs").queryAs(TextField.class).setText("two"));
        // when the user asks for a student
        robot.clickOn("#quantize");
        WaitForAsyncUtils.waitForFxEvents();
        // then nothing runs and the reason is shown under the field
        assertThat(workbench.running()).isFalse();
        Label error = robot.lookup("#error-epochs").queryAs(Label.class);
        assertThat(error.isVisible()).isTrue();
        assertThat(error.getText()).contains("not a whole number");
        robot.interact(() -> robot.lookup("#epochs").queryAs(TextField.class).setText("0"));
        robot.interact(() -> workbench.start(dev.qvit.app.task.RunSettings.Kind.STUDENT));
        assertThat(workbench.running()).isFalse();
        assertThat(error.getText()).contains("between 1 and 1000");
    }

    @Test
    void aRunThatDivergesIsReportedAndTheWindowStaysUsable(FxRobot robot) throws Exception {
        awaitTeacher();
        TeacherSource good = workbench.teacher();
        // given a teacher whose weights are all NaN, so the student's first loss is NaN
        var broken = dev.qvit.model.vit.VisionTransformer.create(good.model().config(), 3);
        broken.parameters().values().assign(Double.NaN);
        robot.interact(() -> {
            workbench.adoptTeacher(new TeacherSource(broken, "broken teacher", 0.1));
            robot.lookup("#trainImages").queryAs(TextField.class).setText("256");
            robot.lookup("#epochs").queryAs(TextField.class).setText("1");
        });
        // when a student is quantized from it
        robot.interact(() -> workbench.start(dev.qvit.app.task.RunSettings.Kind.STUDENT));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !workbench.running());
        WaitForAsyncUtils.waitForFxEvents();
        // then the status line says what happened, in words, and nothing is left running
        String status = workbench.timeline.status().getText();
        assertThat(status).startsWith("⚠").contains("NaN").doesNotContain("Exception");
        assertThat(robot.lookup("#quantize").queryButton().isDisabled()).isFalse();
        // and with a good teacher back, a new run starts
        robot.interact(() -> workbench.adoptTeacher(good));
        robot.interact(() -> workbench.start(dev.qvit.app.task.RunSettings.Kind.STUDENT));
        assertThat(workbench.running()).isTrue();
        robot.interact(workbench::cancel);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !workbench.running());
    }

    @Test
    void aShortQuantizationRunFeedsTheChartsStaysResponsiveAndCancels(FxRobot robot) throws Exception {
        awaitTeacher();
        // given a 2-bit run with IRM and DGD on 1024 bundled images for 3 epochs
        robot.interact(() -> {
            robot.lookup("#trainImages").queryAs(TextField.class).setText("1024");
            robot.lookup("#epochs").queryAs(TextField.class).setText("3");
            robot.lookup("#bits").queryComboBox().getSelectionModel().select(Integer.valueOf(2));
        });
        FxLatency latency = new FxLatency();
        robot.clickOn("#quantize");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.running()).isTrue();
        latency.start();
        // then probe snapshots of the student reach the views
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> workbench.state().snapshotCount() >= 3
                && workbench.state().steps().size() >= 3);
        WaitForAsyncUtils.waitForFxEvents();
        latency.stop();
        StringBuilder report = new StringBuilder(String.format("worst FX-thread latency while training %.1f ms%n",
                latency.worstMillis()));
        workbench.refreshTimes().forEach(t -> report.append(String.format("live update: wall %.1f ms, FX-thread CPU "
                + "%.1f ms%n", t[0] / 1e6, t[1] / 1e6)));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "fx-latency.txt"), report);
        JFreeChart chart = workbench.distributions.mainChart().chart();
        assertThat(chart.getTitle().getText()).contains("layer 0, head 0");
        assertThat(((XYPlot) chart.getPlot()).getDatasetCount()).isGreaterThanOrEqualTo(2);
        assertThat(points(chart)).isGreaterThan(100);
        assertThat(workbench.overview.mainChart().chart()).isNotNull();

        // when another layer and head are chosen, every view follows
        robot.interact(() -> workbench.select(workbench.selection().withLayerHead(2, 3)));
        assertThat(workbench.distributions.mainChart().chart().getTitle().getText()).contains("layer 2, head 3");
        robot.interact(() -> workbench.tabs.getSelectionModel().select(1));
        assertThat(((org.jfree.chart.title.TextTitle) workbench.attention.mainChart().chart().getSubtitle(0)).getText())
                .contains("layer 2, head 3");
        robot.interact(() -> workbench.tabs.getSelectionModel().select(0));
        Selection s = workbench.selection();
        assertThat(s.layer()).isEqualTo(2);

        // when the overview cell of layer 1, head 2 is clicked, that head opens
        ChartPane overview = workbench.overview.mainChart();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, overview::drawn);
        var cell = overview.entityCentre(e -> e instanceof XYItemEntity c
                && c.getDataset().getXValue(c.getSeriesIndex(), c.getItem()) == 2
                && c.getDataset().getYValue(c.getSeriesIndex(), c.getItem()) == 1).orElseThrow();
        robot.clickOn(overview.localToScreen(cell.getX(), cell.getY()));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.selection().layer()).isEqualTo(1);
        assertThat(workbench.selection().head()).isEqualTo(2);
        assertThat(workbench.distributions.mainChart().chart().getTitle().getText()).contains("layer 1, head 2");

        // when the step slider goes back to the first snapshot, the views replay it
        robot.interact(() -> workbench.timeline.slider().setValue(0));
        assertThat(workbench.distributions.mainChart().chart().getTitle().getText()).endsWith("step 1");
        robot.interact(() -> workbench.timeline.slider().setValue(workbench.timeline.slider().getMax()));

        // and the chart on screen exports
        ChartPane shown = workbench.distributions.mainChart();
        Path dir = java.nio.file.Files.createTempDirectory("qvit-export");
        shown.export(ChartPane.Format.SVG, dir.resolve("q.svg"));
        shown.export(ChartPane.Format.CSV, dir.resolve("q.csv"));
        assertThat(java.nio.file.Files.readString(dir.resolve("q.svg"))).contains("<svg");
        assertThat(java.nio.file.Files.readAllLines(dir.resolve("q.csv")).size()).isGreaterThan(100);

        // the FX thread stayed responsive while training ran
        assertThat(latency.worstMillis()).as("worst FX-thread latency").isLessThan(200);
        assertThat(workbench.refreshTimes().stream().mapToDouble(t -> t[1] / 1e6).max().orElseThrow())
                .as("most FX-thread CPU time of one live update").isLessThan(50);

        // when paused, no step finishes after the first second, until resumed
        robot.interact(() -> robot.lookup("#pause").queryButton().fire());
        Thread.sleep(1000);
        WaitForAsyncUtils.waitForFxEvents();
        int stepsWhenPaused = workbench.state().steps().size();
        Thread.sleep(1500);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.state().steps().size()).as("steps shown while paused").isEqualTo(stepsWhenPaused);
        robot.interact(() -> robot.lookup("#pause").queryButton().fire());

        // when cancelled, the run stops within a second
        long before = System.nanoTime();
        robot.interact(() -> robot.lookup("#cancel").queryButton().fire());
        double clicked = (System.nanoTime() - before) / 1e9;
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !workbench.running());
        double stopped = (System.nanoTime() - before) / 1e9;
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "fx-cancel.txt"),
                "cancel fired after %.2f s, run ended after %.2f s%n".formatted(clicked, stopped));
        assertThat(stopped).as("seconds from the click to the end of the run").isLessThan(1);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(workbench.timeline.status().getText()).contains("cancelled");
    }

    private static int points(JFreeChart chart) {
        XYPlot plot = (XYPlot) chart.getPlot();
        int n = 0;
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            if (plot.getDataset(d) != null) {
                for (int s = 0; s < plot.getDataset(d).getSeriesCount(); s++) {
                    n += plot.getDataset(d).getItemCount(s);
                }
            }
        }
        return n;
    }

    /** Posts a no-op to the FX thread every 20 ms and records how long each waited to run. */
    private static final class FxLatency {
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicLong worst = new AtomicLong();
        private Thread thread;

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    long posted = System.nanoTime();
                    Platform.runLater(() -> worst.accumulateAndGet(System.nanoTime() - posted, Math::max));
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            WaitForAsyncUtils.waitForFxEvents();
        }

        double worstMillis() {
            return worst.get() / 1e6;
        }
    }
}
