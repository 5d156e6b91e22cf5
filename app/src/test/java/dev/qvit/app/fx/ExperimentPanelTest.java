package dev.qvit.app.fx;

import static dev.qvit.app.fx.WorkbenchKeyboardTest.status;
import static dev.qvit.app.fx.WorkbenchRunTest.type;
import static org.assertj.core.api.Assertions.assertThat;

import atlantafx.base.theme.Styles;
import dev.qvit.model.experiment.ExperimentSpec;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.geometry.Bounds;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The experiment panel refuses bad settings in words, without moving what the user is about to click. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class ExperimentPanelTest {
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @Test
    void refusesAnOutOfRangeSettingAndNamesTheFieldWithTheReason(FxRobot robot) throws Exception {
        // given a teacher, and an epoch count that is not a number
        adoptTeacher(robot);
        type(robot, "#epochs", "two");
        // when the user asks for a student
        robot.clickOn("#quantize");
        // then nothing runs, the field is marked and the reason names it
        assertThat(robot.lookup("#pause").queryButton().isDisabled()).isTrue();
        assertThat(robot.lookup("#epochs").query().getPseudoClassStates()).contains(Styles.STATE_DANGER);
        assertThat(robot.lookup("#error-epochs").queryAs(Label.class).getText())
                .isEqualTo("epochs: “two” is not a whole number");
        assertThat(status(robot)).isEqualTo("⚠ Not started: epochs: “two” is not a whole number");
        // and a number out of range is refused with the range
        type(robot, "#epochs", "0");
        robot.clickOn("#quantize");
        assertThat(robot.lookup("#pause").queryButton().isDisabled()).isTrue();
        assertThat(robot.lookup("#error-epochs").queryAs(Label.class).getText()).contains("between 1 and 1000");
    }

    @Test
    void anEmptyTrainImagesFieldSaysAllAndTrainsOnAllImages(FxRobot robot) {
        // given the panel as it opens
        TextField images = robot.lookup("#trainImages").queryAs(TextField.class);
        // then the field says "all" rather than a 0 that reads as no images
        assertThat(images.getText()).isEmpty();
        assertThat(images.getPromptText()).isEqualTo("all");
        // and a run from it uses every training image, as a 0 typed there does
        assertThat(trainLimit(robot)).isZero();
        type(robot, "#trainImages", "0");
        assertThat(trainLimit(robot)).isZero();
        type(robot, "#trainImages", "512");
        assertThat(trainLimit(robot)).isEqualTo(512);
    }

    /** The training-image limit of the student run the panel describes now (read on the FX thread). */
    private int trainLimit(FxRobot robot) {
        AtomicInteger limit = new AtomicInteger(-1);
        robot.interact(() -> limit.set(window.workbench().experiment.spec(ExperimentSpec.Kind.STUDENT).orElseThrow()
                .data().trainLimit()));
        return limit.get();
    }

    @Test
    void anErrorAppearingDoesNotMoveTheButtons(FxRobot robot) {
        // given where the run buttons are
        Button quantize = robot.lookup("#quantize").queryButton();
        Button train = robot.lookup("#trainTeacher").queryButton();
        Bounds quantizeBefore = quantize.localToScene(quantize.getBoundsInLocal());
        Bounds trainBefore = train.localToScene(train.getBoundsInLocal());
        // when the first field gets a value that is refused (its reason appears at once)
        type(robot, "#trainImages", "-5");
        assertThat(robot.lookup("#error-images").tryQuery()).isPresent();
        // then the buttons have not moved
        assertThat(quantize.localToScene(quantize.getBoundsInLocal())).isEqualTo(quantizeBefore);
        assertThat(train.localToScene(train.getBoundsInLocal())).isEqualTo(trainBefore);
    }

    @Test
    void theNotStartedMessageGoesOnceTheFieldIsFixed(FxRobot robot) throws Exception {
        // given a run refused for its epochs
        adoptTeacher(robot);
        type(robot, "#epochs", "0");
        robot.clickOn("#quantize");
        assertThat(status(robot)).startsWith("⚠ Not started: epochs");
        // when the field is fixed
        type(robot, "#epochs", "2");
        // then the status line no longer says the run was not started, and no reason is left
        assertThat(status(robot)).doesNotContain("Not started").isEqualTo("Settings fixed: ready to start.");
        assertThat(robot.lookup("#error-epochs").tryQuery()).isEmpty();
        assertThat(robot.lookup("#epochs").query().getPseudoClassStates()).doesNotContain(Styles.STATE_DANGER);
    }

    @Test
    void aSwinTeacherMakesTheStudentsSwinsAndAViTSizeIsRefusedInWords(FxRobot robot) throws Exception {
        // given the shipped Swin teacher opened in the window
        TeacherSource swin = TeacherSource.open(java.nio.file.Path.of("..", "checkpoints", "teacher-swin-tiny.qvit"));
        robot.interact(() -> window.workbench().adoptTeacher(swin));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Teacher ready"));
        // then the size box follows it, and the student the fields describe is a Swin of the teacher's size
        assertThat(window.workbench().experiment.model.getValue()).isEqualTo("swin-tiny");
        ExperimentSpec spec = studentSpec(robot);
        assertThat(spec.model()).isEqualTo(dev.qvit.model.swin.SwinConfig.tiny());
        assertThat(dev.qvit.model.experiment.ExperimentRun.check(spec, swin.asTeacher()).model())
                .isEqualTo(swin.model().config());
        // and a ViT size asked of the Swin teacher is refused naming both
        robot.interact(() -> window.workbench().experiment.model.setValue("tiny"));
        ExperimentSpec vit = studentSpec(robot);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> dev.qvit.model.experiment.ExperimentRun.check(vit, swin.asTeacher()))
                .hasMessageContaining("the teacher is swin-tiny");
    }

    private ExperimentSpec studentSpec(FxRobot robot) {
        java.util.concurrent.atomic.AtomicReference<ExperimentSpec> spec = new java.util.concurrent.atomic.AtomicReference<>();
        robot.interact(() -> spec.set(window.workbench().experiment.spec(ExperimentSpec.Kind.STUDENT).orElseThrow()));
        return spec.get();
    }

    private void adoptTeacher(FxRobot robot) throws Exception {
        TeacherSource teacher = RecordedRun.teacher();
        robot.interact(() -> window.workbench().adoptTeacher(teacher));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status(robot).startsWith("Teacher ready"));
    }
}
