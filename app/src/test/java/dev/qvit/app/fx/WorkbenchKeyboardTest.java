package dev.qvit.app.fx;

import dev.qvit.model.experiment.RunEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.viz.fx.ChartPane;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.jfree.chart.entity.XYItemEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Keys go to the focused control: arrows move the selected head only while the overview map has the focus, a
 * focused slider, box or button keeps its own keys, Enter in a box starts nothing (ui.md, Keyboard).
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class WorkbenchKeyboardTest {
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void stopAnyRun(FxRobot robot) {
        robot.interact(() -> window.workbench().cancel());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void arrowsOnTheStepSliderMoveTheStepNotTheSelectedHead(FxRobot robot) throws Exception {
        // given a run with several snapshots, the slider focused at the first one
        showRecordedRun(robot);
        Slider slider = robot.lookup("#stepSlider").queryAs(Slider.class);
        assertThat(slider.getMax()).as("snapshots to step through").isGreaterThanOrEqualTo(2);
        focus(robot, slider);
        robot.type(KeyCode.HOME);
        // when the right arrow is pressed
        robot.type(KeyCode.RIGHT);
        // then the slider moves one snapshot on and the views show that step, for the same head
        assertThat(slider.getValue()).isEqualTo(1);
        assertThat(selectionShown(robot)).isEqualTo("layer 0, head 0");
        assertThat(distributionTitle(robot)).contains("layer 0, head 0")
                .endsWith("step " + (window.workbench().state().snapshot(1).step() + 1));
    }

    @Test
    void arrowsInAFocusedComboBoxStayInTheComboBox(FxRobot robot) throws Exception {
        // given the stage picker focused
        showRecordedRun(robot);
        focus(robot, robot.lookup("#stagePicker").query());
        // when the down arrow is pressed
        robot.type(KeyCode.DOWN);
        // then the selected layer has not moved
        assertThat(selectionShown(robot)).isEqualTo("layer 0, head 0");
    }

    @Test
    void spaceOnAFocusedToggleButtonPressesThatButton(FxRobot robot) throws Exception {
        // given the queries shown and the keys toggle focused
        showRecordedRun(robot);
        assertThat(distributionTitle(robot)).startsWith("Queries q");
        focus(robot, robot.lookup("#keyToggle").query());
        // when space is pressed
        robot.type(KeyCode.SPACE);
        // then the keys are shown
        assertThat(distributionTitle(robot)).startsWith("Keys k");
    }

    @Test
    void enterInTheBitsBoxDoesNotStartARun(FxRobot robot) throws Exception {
        // given a teacher to quantize and the bits box focused
        TeacherSource teacher = RecordedRun.teacher();
        robot.interact(() -> window.workbench().adoptTeacher(teacher));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Teacher ready"));
        focus(robot, robot.lookup("#bits").query());
        // when Enter is pressed
        robot.type(KeyCode.ENTER);
        // then no run starts: its buttons stay as they were
        assertThat(robot.lookup("#quantize").queryButton().isDisabled()).isFalse();
        assertThat(robot.lookup("#pause").queryButton().isDisabled()).isTrue();
        assertThat(status(robot)).startsWith("Teacher ready");
    }

    @Test
    void arrowsMoveTheSelectionWhileTheOverviewHasTheFocusAndStopAtItsEdge(FxRobot robot) throws Exception {
        // given the overview cell of layer 1, head 2 clicked, which gives the map the focus
        showRecordedRun(robot);
        ChartPane overview = robot.lookup("#overviewHeatmap").queryAs(ChartPane.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, overview::settled);
        robot.clickOn(cellOnScreen(overview, 1, 2));
        assertThat(selectionShown(robot)).isEqualTo("layer 1, head 2");
        assertThat(overview.isFocused()).isTrue();
        // when right, right (past the last head) and down are pressed
        robot.type(KeyCode.RIGHT, KeyCode.RIGHT, KeyCode.DOWN);
        // then the selection went to head 3, stayed there, and went a layer down, in every view
        assertThat(selectionShown(robot)).isEqualTo("layer 2, head 3");
        assertThat(distributionTitle(robot)).contains("layer 2, head 3");
    }

    private void showRecordedRun(FxRobot robot) throws Exception {
        List<RunEvent> events = RecordedRun.events();
        robot.interact(() -> window.workbench().showRun(events));
    }

    private static void focus(FxRobot robot, Node node) {
        robot.interact(node::requestFocus);
        assertThat(node.isFocused()).isTrue();
    }

    /** Screen point of the overview cell of {@code layer}, {@code head}. */
    static javafx.geometry.Point2D cellOnScreen(ChartPane overview, int layer, int head) {
        var cell = overview.entityCentre(e -> e instanceof XYItemEntity c
                && c.getDataset().getXValue(c.getSeriesIndex(), c.getItem()) == head
                && c.getDataset().getYValue(c.getSeriesIndex(), c.getItem()) == layer).orElseThrow();
        return overview.localToScreen(cell.getX(), cell.getY());
    }

    static String selectionShown(FxRobot robot) {
        return robot.lookup("#overviewSelection").queryAs(Label.class).getText();
    }

    static String distributionTitle(FxRobot robot) {
        return robot.lookup("#distributionChart").queryAs(ChartPane.class).chart().getTitle().getText();
    }

    static String status(FxRobot robot) {
        return robot.lookup("#statusBar").queryAs(org.controlsfx.control.StatusBar.class).getText();
    }
}
