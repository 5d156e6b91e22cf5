package dev.qvit.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.ModelSnapshot;
import dev.qvit.viz.fx.ChartPane;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.jfree.chart.annotations.XYDataImageAnnotation;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * File > Open PyTorch model: a DeiT-shaped model at 224 pixels in timm's names (the model module's test file) with
 * the bundled RGB test images goes through the dialog, is quantized after training off the FX thread and shows in
 * the views: its 197 tokens, the teacher beside the 4-bit student, the image in colour under the attention.
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class ImportedModelTest {
    private static final Path RESOURCES = Path.of("..", "model", "src", "test", "resources");
    private static final Path DEIT = RESOURCES.resolve("parity/rgb/deit224.safetensors");
    private static final Path IMAGES = RESOURCES.resolve("images/rgb");
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @Test
    void theDialogSaysWhatIsMissingAndBuildsTheSpec(FxRobot robot) {
        robot.interact(() -> {
            ImportDialog dialog = window.importDialog(DEIT);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(dialog::spec))
                    .hasMessage("Choose a folder of images to calibrate and probe on.");
            dialog.folder.setText(IMAGES.toString());
            dialog.bits.setValue("2 bits");
            dialog.irm.setSelected(true);
            assertThat(dialog.spec().label()).isEqualTo("W2A2 PTQ IRM(distribution)");
            dialog.bits.setValue(ImportDialog.FULL_PRECISION);
            assertThat(dialog.irm.isDisabled()).isTrue();
            assertThat(dialog.spec().quantization()).isNull();
            dialog.heads.setText("three");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(dialog::spec)).hasMessageContaining("heads");
        });
    }

    @Test
    void anOpenedDeitIsQuantizedAndShownInTheViews(FxRobot robot) throws Exception {
        robot.interact(() -> {
            ImportDialog dialog = window.importDialog(DEIT);
            dialog.folder.setText(IMAGES.toString());
            dialog.heads.setText("2");
            window.workbench().inspectImported(dialog.spec());
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> WorkbenchKeyboardTest.status(robot)
                .contains("the same top-1 class as full precision"));
        ModelSnapshot shown = window.workbench().state().view(-1).model();
        assertThat(shown.geometry(0).tokens()).isEqualTo(197);
        assertThat(shown.headsPerLayer()).containsExactly(2, 2);
        assertThat(window.workbench().state().view(-1).teacher()).isNotNull();
        assertThat(window.workbench().state().view(-1).images().channels()).isEqualTo(3);
        assertThat(WorkbenchKeyboardTest.status(robot)).startsWith("deit224.safetensors W4A4 PTQ on 6 images: top-1");
        // File > Save trained model saves the calibrated student, which opens again with its quantization
        assertThat(window.workbench().trainedModel().quantization().bits()).isEqualTo(4);
        Path saved = java.nio.file.Files.createTempFile("ptq", ".qvit");
        try {
            dev.qvit.model.experiment.TrainedModelFile.save(saved, window.workbench().trainedSpec(),
                    window.workbench().trainedModel(), java.util.List.of());
            assertThat(dev.qvit.model.io.Checkpoint.load(saved).quantization().bits()).isEqualTo(4);
        } finally {
            java.nio.file.Files.deleteIfExists(saved);
        }
        robot.interact(() -> window.workbench().tabs.getSelectionModel().select(1));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> overlay(robot) != null);
        XYPlot plot = (XYPlot) overlay(robot).getPlot();
        var photo = (org.jfree.chart.renderer.xy.AbstractXYItemRenderer) plot.getRenderer(0);
        assertThat(photo.getAnnotations()).hasOnlyElementsOfType(XYDataImageAnnotation.class).hasSize(1);
        assertThat(overlay(robot).getTitle().getText()).isEqualTo("cls attention, student");
    }

    private static org.jfree.chart.JFreeChart overlay(FxRobot robot) {
        return robot.lookup("#clsStudent").queryAs(ChartPane.class).chart();
    }
}
