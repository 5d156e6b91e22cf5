package dev.qvit.app.fx;

import static dev.qvit.app.fx.WorkbenchKeyboardTest.distributionTitle;
import static dev.qvit.app.fx.WorkbenchKeyboardTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.train.RunControl;
import dev.qvit.viz.fx.ChartPane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.application.Platform;
import javafx.event.ActionEvent;
import javafx.scene.control.Slider;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Real QAT runs started from the window, headless: they feed the views, the FX thread stays responsive (worst wait
 * written to {@code target/fx-latency.txt}), Ctrl+Space pauses and resumes, Cancel stops within a second (written
 * to {@code target/fx-cancel.txt}), a diverging run is reported in words.
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class WorkbenchRunTest {
    private static final Pattern STEP = Pattern.compile("step (\\d+)/\\d+");
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void stopTheRun(FxRobot robot) throws Exception {
        robot.interact(() -> window.workbench().cancel());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !window.workbench().running());
    }

    @Test
    void aStudentRunFeedsTheViewsWhileTheFxThreadStaysResponsive(FxRobot robot) throws Exception {
        // given the bundled teacher and a 2-bit student on 2048 images for 2 epochs: long enough for three probes
        // (a run probes at its start, then at most 5 % of its time, and after its last step)
        FxLatency latency = new FxLatency();
        // when Quantize is clicked
        startRun(robot, RecordedRun.teacher(), 2048, 2);
        latency.start();
        // then the run's controls are live and probe snapshots of the student reach the views
        assertThat(robot.lookup("#pause").queryButton().isDisabled()).isFalse();
        assertThat(robot.lookup("#quantize").queryButton().isDisabled()).isTrue();
        Slider slider = robot.lookup("#stepSlider").queryAs(Slider.class);
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> slider.getMax() >= 2
                && window.workbench().state().steps().size() >= 3);
        WaitForAsyncUtils.waitForFxEvents();
        latency.stop();
        writeLatency(latency);
        var chart = robot.lookup("#distributionChart").queryAs(ChartPane.class).chart();
        assertThat(distributionTitle(robot)).contains("layer 0, head 0").doesNotEndWith("step 1");
        var histograms = ((XYPlot) chart.getPlot()).getDataset(1);
        assertThat(histograms.getSeriesKey(0).toString()).startsWith("teacher q");
        assertThat(histograms.getSeriesKey(1).toString()).startsWith("student q after quantizer");
        // and the status line names the losses it shows
        assertThat(status(robot)).matches("epoch \\d+ · step \\d+/\\d+ · task loss \\d+\\.\\d{3} · "
                + "task \\+ λ·DGD \\d+\\.\\d{3} · \\d+ img/s · ETA [\\d:]+");
        // and the FX thread stayed responsive while training ran: on 2 cores busy with training the OS may
        // preempt it now and then (a GC pause or a scheduling slice), so the typical wait is bounded tightly and
        // the single worst one only against a freeze a user would notice
        assertThat(latency.percentileMillis(0.95)).as("95th percentile FX-thread wait, ms").isLessThan(100);
        assertThat(latency.worstMillis()).as("worst FX-thread wait, ms").isLessThan(1000);
        assertThat(window.workbench().refreshTimes()).isNotEmpty();
        assertThat(window.workbench().refreshTimes().stream().mapToDouble(t -> t[1] / 1e6).max().orElseThrow())
                .as("most FX-thread CPU time of one live update, ms").isLessThan(50);
    }

    @Test
    void ctrlSpacePausesTheRunBetweenStepsAndResumesIt(FxRobot robot) throws Exception {
        // given a run that has finished a step
        startRun(robot, RecordedRun.teacher(), 512, 2);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> STEP.matcher(status(robot)).find());
        // when Ctrl+Space is pressed
        ctrlSpace(robot);
        // then the training thread waits between steps, and the window says it can resume
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, WorkbenchRunTest::trainingThreadWaitsForResume);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#pause").queryButton().getText()).isEqualTo("Resume");
        int pausedAt = step(status(robot));
        assertThat(trainingThreadWaitsForResume()).isTrue();
        // when Ctrl+Space is pressed again, the run goes on
        ctrlSpace(robot);
        assertThat(robot.lookup("#pause").queryButton().getText()).isEqualTo("Pause");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> step(status(robot)) > pausedAt);
    }

    @Test
    void cancelStopsTheRunWithinASecondAndSaysHowFarItGot(FxRobot robot) throws Exception {
        // given a run that has finished a step
        startRun(robot, RecordedRun.teacher(), 512, 2);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> STEP.matcher(status(robot)).find());
        AtomicLong fired = new AtomicLong();
        robot.lookup("#cancel").queryButton().addEventFilter(ActionEvent.ACTION, e -> fired.set(System.nanoTime()));
        // when Cancel is clicked
        long before = System.nanoTime();
        robot.clickOn("#cancel");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !window.workbench().running());
        long ended = System.nanoTime();
        double stopped = (ended - fired.get()) / 1e9;
        double step = secondsPerStep();
        Files.writeString(Path.of("target", "fx-cancel.txt"), ("cancel fired %.2f s after the robot began its "
                + "click, run ended %.2f s after it fired; a training step took %.2f s%n").formatted(
                (fired.get() - before) / 1e9, stopped, step));
        // then the run ended within a second (on a machine so loaded that a step takes over 4 s: within a quarter
        // of a step, which waiting for the step to finish would not), and the status line says where
        assertThat(stopped).as("seconds from the click to the end of the run, %.2f s a step", step)
                .isLessThan(Math.max(1, step / 4));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(status(robot)).matches("W2A2 IRM\\(distribution\\)\\+DGD cancelled after step \\d+: .*");
        assertThat(robot.lookup("#quantize").queryButton().isDisabled()).isFalse();
    }

    @Test
    void aRunThatDivergesIsReportedInWordsAndTheWindowStaysUsable(FxRobot robot) throws Exception {
        // given a teacher whose weights are all NaN, so the student's first loss is NaN
        TeacherSource good = RecordedRun.teacher();
        dev.qvit.model.vit.Backbone broken = good.model().config().create(3);
        broken.parameters().values().assign(Double.NaN);
        // when a student is quantized from it
        startRun(robot, new TeacherSource(broken, "broken teacher", "test", 0.1), 256, 1);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !window.workbench().running());
        WaitForAsyncUtils.waitForFxEvents();
        // then the status line says what happened, in words, and the window can start again
        assertThat(status(robot)).startsWith("⚠").contains("NaN").doesNotContain("Exception");
        assertThat(robot.lookup("#quantize").queryButton().isDisabled()).isFalse();
        // and with a good teacher back, a new run starts
        adopt(robot, good);
        robot.clickOn("#quantize");
        assertThat(robot.lookup("#pause").queryButton().isDisabled()).isFalse();
    }

    /** Adopts {@code teacher}, sets the images, epochs and 2 bits through the panel, and clicks Quantize. */
    private void startRun(FxRobot robot, TeacherSource teacher, int images, int epochs) throws Exception {
        adopt(robot, teacher);
        type(robot, "#trainImages", String.valueOf(images));
        type(robot, "#epochs", String.valueOf(epochs));
        robot.clickOn("#bits");
        robot.clickOn(robot.lookup(".list-cell").match(n -> "2".equals(((javafx.scene.control.ListCell<?>) n)
                .getText())).queryAs(javafx.scene.Node.class));
        assertThat(robot.lookup("#bits").queryComboBox().getValue()).isEqualTo(2);
        robot.clickOn("#quantize");
    }

    /** Adopts {@code teacher} and waits for its probe: "Teacher ready", or a warning for a broken one. */
    private void adopt(FxRobot robot, TeacherSource teacher) throws Exception {
        robot.interact(() -> window.workbench().adoptTeacher(teacher));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Teacher ready")
                || status(robot).startsWith("⚠"));
    }

    static void type(FxRobot robot, String field, String text) {
        robot.clickOn(field).press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write(text);
    }

    private static void ctrlSpace(FxRobot robot) {
        robot.press(KeyCode.CONTROL).type(KeyCode.SPACE).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Wall seconds per training step of the current run so far. */
    private double secondsPerStep() {
        var steps = window.workbench().state().steps();
        var last = steps.get(steps.size() - 1);
        return last.elapsedSeconds() / (last.step() + 1);
    }

    private static int step(String status) {
        Matcher m = STEP.matcher(status);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** True if a thread waits inside {@link RunControl#awaitRunnable()}: a paused run between two steps. */
    static boolean trainingThreadWaitsForResume() {
        return Thread.getAllStackTraces().values().stream().anyMatch(frames -> Arrays.stream(frames).anyMatch(f ->
                f.getClassName().equals(RunControl.class.getName()) && f.getMethodName().equals("awaitRunnable"))
                && Arrays.stream(frames).anyMatch(f -> f.getMethodName().equals("wait")));
    }

    private void writeLatency(FxLatency latency) throws Exception {
        StringBuilder report = new StringBuilder(String.format("FX-thread latency while training: median %.1f ms, "
                + "95th percentile %.1f ms, worst %.1f ms over %d probes%n", latency.percentileMillis(0.5),
                latency.percentileMillis(0.95), latency.worstMillis(), latency.count()));
        window.workbench().refreshTimes().forEach(t -> report.append(String.format("live update: wall %.1f ms, "
                + "FX-thread CPU %.1f ms%n", t[0] / 1e6, t[1] / 1e6)));
        Files.writeString(Path.of("target", "fx-latency.txt"), report);
    }

    /** Posts a no-op to the FX thread every 20 ms and records how long each waited to run. */
    private static final class FxLatency {
        private final Queue<Long> waits = new ConcurrentLinkedQueue<>();
        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fx-latency");
            t.setDaemon(true);
            return t;
        });

        void start() {
            clock.scheduleAtFixedRate(() -> {
                long posted = System.nanoTime();
                Platform.runLater(() -> waits.add(System.nanoTime() - posted));
            }, 0, 20, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            clock.shutdown();
            clock.awaitTermination(1, TimeUnit.SECONDS);
            WaitForAsyncUtils.waitForFxEvents();
        }

        double worstMillis() {
            return waits.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
        }

        /** The wait below which a share {@code p} of the probes fell (nearest rank). */
        double percentileMillis(double p) {
            long[] sorted = waits.stream().mapToLong(Long::longValue).sorted().toArray();
            if (sorted.length == 0) {
                return 0;
            }
            int rank = Math.max(0, (int) Math.ceil(p * sorted.length) - 1);
            return sorted[rank] / 1e6;
        }

        int count() {
            return waits.size();
        }
    }
}
