package dev.qvit.app.fx;

import static dev.qvit.app.fx.WorkbenchKeyboardTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.sessions.MetricsStore;
import dev.qvit.sessions.Session;
import dev.qvit.sessions.SessionSummary;
import dev.qvit.sessions.SessionView;
import dev.qvit.sessions.SessionsRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Slider;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Sessions in the window: a run keeps one, the browser lists, filters, opens, renames, deletes (after asking) and
 * resumes sessions and keeps their notes; a session another writer holds is not deleted.
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class SessionsWindowTest {
    private static final VitConfig NARROW = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
    private WorkbenchWindow window;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void stopTheRunAndForgetTheTemporaryFolder(FxRobot robot) throws Exception {
        robot.interact(() -> window.workbench().cancel());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !window.workbench().running());
        Thread.sleep(200);                                     // the settings are saved on the I/O thread
        Files.deleteIfExists(WorkbenchSettings.file());        // the next windows use the build's sessions folder
    }

    private SessionsRoot useTempSessions(FxRobot robot) {
        robot.interact(() -> window.workbench().setSessionsRoot(dir));
        return new SessionsRoot(dir);
    }

    /** A short real student run of a narrow model into a session, cancelled after {@code stopAfter} steps (-1: never). */
    private static void record(SessionsRoot root, String id, int bits, long stopAfter) throws Exception {
        ExperimentRun.Teacher teacher = new ExperimentRun.Teacher(VisionTransformer.create(NARROW, 5), 0.5);
        ExperimentSpec spec = ExperimentSpec.student(NARROW, new ExperimentSpec.Data("bundled", 300, 100), "test",
                QuantizationConfig.of(bits, QuantizationConfig.Rectification.DISTRIBUTION), DistillationSettings.on(0.1),
                2, 0).withTraining(ExperimentSpec.qatRecipe(2, 2e-4, 0).withBatchSize(100));
        try (Session s = root.create(spec, id, null, 0)) {
            s.keepTeacher(teacher.model(), teacher.testAccuracy());
            RunControl control = new RunControl();
            RunEvent.Listener recorder = s.recorder();
            ExperimentRun.prepare(spec, teacher, RunOptions.headless(2).probingEvery(0)
                    .checkpointingTo(s.checkpointer(), 2)).run(e -> {
                        recorder.on(e);
                        if (e instanceof RunEvent.Step st && st.metrics().step() + 1 == stopAfter) {
                            control.cancel();
                        }
                    }, control);
        }
    }

    private SessionsBrowser openBrowser(FxRobot robot, int rows) throws Exception {
        robot.interact(() -> window.sessions().show());
        SessionsBrowser b = window.sessions();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> b.table.getItems().size() == rows);
        return b;
    }

    /** Sessions two-bit and four-bit recorded, and the browser open on them. */
    private SessionsBrowser twoSessionsInTheBrowser(FxRobot robot, SessionsRoot root) throws Exception {
        record(root, "two-bit", 2, -1);
        record(root, "four-bit", 4, -1);
        return openBrowser(robot, 2);
    }

    private static void select(FxRobot robot, SessionsBrowser b, String id) {
        robot.interact(() -> b.table.getSelectionModel().clearSelection());
        robot.interact(() -> b.table.getItems().stream().filter(s -> s.id().equals(id)).findFirst()
                .ifPresent(s -> b.table.getSelectionModel().select(s)));
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aWindowRunKeepsASessionThatTheBrowserListsAndOpensAtItsSavedSteps(FxRobot robot) throws Exception {
        SessionsRoot root = useTempSessions(robot);
        // given a short 2-bit student run started in the window
        robot.interact(() -> window.workbench().adoptTeacher(uncheckedTeacher()));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Teacher ready"));
        WorkbenchRunTest.type(robot, "#trainImages", "256");
        WorkbenchRunTest.type(robot, "#epochs", "1");
        robot.clickOn("#quantize");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> window.workbench().running());
        WaitForAsyncUtils.waitFor(240, TimeUnit.SECONDS, () -> !window.workbench().running());
        WaitForAsyncUtils.waitForFxEvents();
        // then it kept a finished session with every step, named in the status line
        List<SessionSummary> sessions = root.list();
        assertThat(sessions).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(MetricsStore.State.FINISHED);
            assertThat(s.steps()).isEqualTo(2);
            assertThat(s.label()).isEqualTo("W4A4 IRM(distribution)+DGD");
        });
        String id = sessions.get(0).id();
        assertThat(status(robot)).endsWith("Session " + id + ".");
        try (SessionView v = root.view(id)) {
            assertThat(v.probes()).isNotEmpty();
            assertThat(Files.exists(v.dir().resolve("probe-images.safetensors"))).isTrue();
            assertThat(Files.exists(v.dir().resolve("teacher-probe.safetensors"))).isTrue();
        }
        // when the browser opens it
        SessionsBrowser b = openBrowser(robot, 1);
        select(robot, b, id);
        robot.interact(() -> b.open.fire());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Session " + id));
        WaitForAsyncUtils.waitForFxEvents();
        // then every view shows it, with its saved snapshots on the timeline and the teacher to compare with
        RunState state = window.workbench().state();
        assertThat(state.steps()).hasSize(2);
        assertThat(state.snapshotCount()).isGreaterThanOrEqualTo(1);
        assertThat(state.start().teacher()).isNotNull();
        assertThat(state.start().images().count()).isEqualTo(30);
        assertThat(robot.lookup("#stepSlider").queryAs(Slider.class).getMax()).isEqualTo(state.snapshotCount() - 1);
        assertThat(window.workbench().settings().lastSession()).isEqualTo(id);
    }

    private static TeacherSource uncheckedTeacher() {
        try {
            return RecordedRun.teacher();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBrowserFiltersRenamesKeepsNotesAndDeletesAfterAsking(FxRobot robot) throws Exception {
        SessionsRoot root = useTempSessions(robot);
        SessionsBrowser b = twoSessionsInTheBrowser(robot, root);
        // filter
        robot.interact(() -> b.filter.setText("w2a2"));
        assertThat(b.table.getItems()).extracting(SessionSummary::id).containsExactly("two-bit");
        robot.interact(() -> b.filter.setText(""));
        assertThat(b.table.getItems()).hasSize(2);
        // notes
        select(robot, b, "four-bit");
        robot.interact(() -> {
            b.notes.setText("lr too high?");
            b.saveNotes.fire();
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> b.message.getText().startsWith("Notes of four-bit"));
        try (SessionView v = root.view("four-bit")) {
            assertThat(v.notes()).isEqualTo("lr too high?");
        }
        // rename through its dialog
        select(robot, b, "four-bit");
        robot.clickOn("#renameSession");
        robot.lookup(".dialog-pane .text-field").queryTextInputControl();
        robot.interact(() -> robot.lookup(".dialog-pane .text-field").queryTextInputControl().setText("W4 reference"));
        robot.clickOn("OK");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> b.table.getItems().stream()
                .anyMatch(s -> "W4 reference".equals(s.name())));
        // delete, cancelled, then confirmed
        select(robot, b, "two-bit");
        robot.clickOn("#deleteSession");
        robot.clickOn("Cancel");
        assertThat(dir.resolve("two-bit")).exists();
        robot.clickOn("#deleteSession");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> b.table.getItems().size() == 1);
        assertThat(dir.resolve("two-bit")).doesNotExist();
        assertThat(dir.resolve("four-bit")).exists();
    }

    @Test
    void aSessionAnotherWriterHoldsIsNotDeleted(FxRobot robot) throws Exception {
        SessionsRoot root = useTempSessions(robot);
        record(root, "held", 2, -1);
        SessionsBrowser b = openBrowser(robot, 1);
        try (Session writer = root.openForWriting("held", 60)) {
            select(robot, b, "held");
            robot.clickOn("#deleteSession");
            robot.clickOn("OK");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> status(robot).contains("is busy"));
            assertThat(status(robot)).contains("session held is busy: process " + ProcessHandle.current().pid());
            assertThat(dir.resolve("held").resolve("metrics.sqlite")).exists();
        }
    }

    @Test
    void aStoppedSessionResumesFromTheBrowserToTheEnd(FxRobot robot) throws Exception {
        SessionsRoot root = useTempSessions(robot);
        record(root, "stopped", 2, 3);                           // checkpoint at step 2, stopped after 3 of 6
        SessionsBrowser b = openBrowser(robot, 1);
        select(robot, b, "stopped");
        assertThat(b.resume.isDisabled()).isFalse();
        robot.interact(() -> b.resume.fire());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> window.workbench().running());
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !window.workbench().running());
        try (SessionView v = root.view("stopped")) {
            assertThat(v.state()).isEqualTo(MetricsStore.State.FINISHED);
            assertThat(v.steps()).hasSize(6);
            assertThat(v.epochs()).hasSize(2);
        }
        assertThat(window.workbench().state().steps()).as("the views show the steps before the checkpoint too")
                .hasSize(6);
    }

    @Test
    void twoSessionsCompareSideBySide(FxRobot robot) throws Exception {
        SessionsRoot root = useTempSessions(robot);
        SessionsBrowser b = twoSessionsInTheBrowser(robot, root);
        select(robot, b, "two-bit");
        assertThat(b.compare.isDisabled()).as("one session: nothing to compare").isTrue();
        robot.interact(() -> b.table.getSelectionModel().selectAll());
        assertThat(b.compare.isDisabled()).isFalse();
        robot.interact(() -> b.compare.fire());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> b.comparisonStage != null);
        WaitForAsyncUtils.waitForFxEvents();
        var scene = b.comparisonStage.getScene();
        var accuracy = ((dev.qvit.viz.fx.ChartPane) scene.lookup("#compareAccuracy")).chart();
        assertThat(accuracy.getXYPlot().getDataset().getSeriesCount()).isEqualTo(2);
        assertThat(accuracy.getXYPlot().getDataset().getItemCount(0)).isEqualTo(2);     // two epochs each
        var histograms = ((dev.qvit.viz.fx.ChartPane) scene.lookup("#compareHistograms")).chart();
        assertThat(histograms.getXYPlot().getDataset(1).getSeriesCount()).as("teacher and both students").isEqualTo(3);
        assertThat(histograms.getXYPlot().getDataset(1).getSeriesKey(0).toString()).startsWith("teacher q");
        var heatmaps = (javafx.scene.layout.TilePane) scene.lookup("#compareHeatmaps");
        assertThat(heatmaps.getChildren()).hasSize(2);
        robot.interact(() -> b.comparisonStage.close());
    }
}
