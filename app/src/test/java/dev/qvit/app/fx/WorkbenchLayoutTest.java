package dev.qvit.app.fx;

import dev.qvit.model.experiment.RunEvent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window at 1280 x 800 after a short student run: nothing is cut, in any view, theme or presentation mode. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class WorkbenchLayoutTest {
    private static final String[] TABS = {"distributions", "attention", "losses", "quantizers"};
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void plainWindow(FxRobot robot) {
        robot.interact(() -> {
            window.setPresentation(false);
            window.setDark(false);
        });
    }

    @Test
    void nothingIsCutInAnyViewInTheLightAndTheDarkTheme(FxRobot robot) throws Exception {
        // given the window at 1280 x 800 showing a student run
        showRecordedRun(robot);
        assertThat(window.scene().getWidth()).isEqualTo(1280);
        assertThat(window.scene().getHeight()).isEqualTo(800);
        List<String> defects = new ArrayList<>();
        for (boolean dark : new boolean[]{false, true}) {
            // when each view is opened, in each theme
            robot.interact(() -> window.setDark(dark));
            defects.addAll(defectsOfEveryTab(robot, dark ? "dark" : "light"));
        }
        // then no text, control or axis label is cut
        assertThat(defects).isEmpty();
    }

    @Test
    void theFirstViewOfTheTeacherCutsNothing(FxRobot robot) throws Exception {
        // given the window as it opens: the bundled teacher, no student yet
        TeacherSource teacher = RecordedRun.teacher();
        robot.interact(() -> window.workbench().adoptTeacher(teacher));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> WorkbenchKeyboardTest.status(robot)
                .startsWith("Teacher ready"));
        // then no view cuts anything, and the stage picker offers no stage of a full-precision model
        assertThat(defectsOfEveryTab(robot, "teacher")).isEmpty();
        robot.clickOn("#tab-distributions");
        assertThat(robot.lookup("#stagePicker").queryComboBox().isDisabled()).isTrue();
        assertThat(robot.lookup("#stagePicker").queryComboBox().getValue()).isNull();
    }

    @Test
    void presentationModeCollapsesTheExperimentPanelAndCutsNothing(FxRobot robot) throws Exception {
        // given the window showing a student run
        showRecordedRun(robot);
        SplitPane split = robot.lookup(".split-pane").queryAs(SplitPane.class);
        double experimentWidth = robot.lookup("#quantize").queryButton().getWidth();
        // when presentation mode is switched on with F5
        robot.type(KeyCode.F5);
        WaitForAsyncUtils.waitForFxEvents();
        // then the experiment panel is collapsed and nothing else is cut, in every view
        assertThat(robot.lookup("#quantize").tryQuery()).isEmpty();
        assertThat(split.getItems()).hasSize(2);
        assertThat(defectsOfEveryTab(robot, "presentation")).isEmpty();
        // and F5 again brings the panel back as it was
        robot.type(KeyCode.F5);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(split.getItems()).hasSize(3);
        assertThat(robot.lookup("#quantize").queryButton().getWidth()).isEqualTo(experimentWidth);
    }

    private void showRecordedRun(FxRobot robot) throws Exception {
        List<RunEvent> events = RecordedRun.events();
        robot.interact(() -> window.workbench().showRun(events));
    }

    /** Opens every tab by clicking its header and collects what is cut there, once its charts are drawn. */
    private List<String> defectsOfEveryTab(FxRobot robot, String mode) throws Exception {
        List<String> defects = new ArrayList<>();
        for (String tab : TABS) {
            robot.clickOn("#tab-" + tab);
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Layout.chartsSettled(window.scene()));
            WaitForAsyncUtils.waitForFxEvents();
            robot.interact(() -> {
                String where = mode + ", " + tab + ": ";
                Layout.cutTexts(window.scene()).forEach(d -> defects.add(where + d));
                Layout.clippedControls(window.scene()).forEach(d -> defects.add(where + d));
                Layout.cutAxisLabels(window.scene()).forEach(d -> defects.add(where + d));
            });
        }
        return defects;
    }
}
