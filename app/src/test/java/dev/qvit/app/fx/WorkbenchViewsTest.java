package dev.qvit.app.fx;

import static dev.qvit.app.fx.WorkbenchKeyboardTest.cellOnScreen;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.experiment.RunEvent;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.viz.chart.ColourBarAxis;
import dev.qvit.viz.chart.HeatmapChart;
import dev.qvit.viz.fx.ChartPane;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** What the views say after a short student run: labels, readouts, scales and axes that do not mislead. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class WorkbenchViewsTest {
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void lightTheme(FxRobot robot) {
        robot.interact(() -> window.setDark(false));
    }

    @Test
    void theWindowOpensOnTheBundledTeacherWithItsDistributions(FxRobot robot) throws Exception {
        // when the window loads its bundled teacher, as on start
        robot.interact(() -> window.workbench().loadBundledTeacher());
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> WorkbenchKeyboardTest.status(robot)
                .startsWith("Teacher ready"));
        // then the tiny teacher's q histogram of layer 0, head 0 is shown, and the panel names the teacher
        assertThat(robot.lookup("#teacherInfo").queryAs(Label.class).getText())
                .isEqualTo("teacher: bundled tiny teacher: tiny (D64 L4 H4 MLP256, 28x28/4), 89.33 % test accuracy");
        assertThat(title(robot, "#distributionChart")).isEqualTo("Queries q of layer 0, head 0 — full precision, "
                + "step 1");
        var histograms = ((XYPlot) chart(robot, "#distributionChart").getPlot()).getDataset(1);
        assertThat(histograms.getSeriesCount()).isEqualTo(1);
        assertThat(histograms.getItemCount(0)).isGreaterThan(20);
    }

    @Test
    void theDefaultStudentUsesDistributionIrmAndTheRunIsLabelledWithItsForm(FxRobot robot) throws Exception {
        // given a fresh window: the experiment panel's IRM is on, in the paper's distribution form
        assertThat(robot.lookup("#irm").queryAs(CheckBox.class).isSelected()).isTrue();
        assertThat(robot.lookup("#irmForm").queryComboBox().getValue()).isEqualTo("distribution");
        // when a W2A2 distribution-IRM + DGD run is shown
        showRecordedRun(robot);
        robot.clickOn("#tab-losses");
        // then its charts name the IRM form
        assertThat(title(robot, "#lossChart")).endsWith("W2A2 IRM(distribution)+DGD");
        assertThat(title(robot, "#accuracyChart")).endsWith("W2A2 IRM(distribution)+DGD");
    }

    @Test
    void theStdRatioUnderTheHistogramIsOfTheStageOnScreen(FxRobot robot) throws Exception {
        // given a student whose q spread differs before IRM and after the quantizer (the premise)
        showRecordedRun(robot);
        double beforeIrm = expectedRatio(LayerProbe.Stage.RAW);
        double quantized = expectedRatio(LayerProbe.Stage.QUANTIZED);
        assertThat(Math.abs(beforeIrm - quantized)).isGreaterThan(0.002);
        // when the stage "before IRM" is picked
        robot.clickOn("#stagePicker").clickOn("before IRM");
        // then σS/σT is the ratio before IRM, and its tooltip says so
        Label ratio = robot.lookup("#stdRatio").queryAs(Label.class);
        assertThat(ratio.getText()).isEqualTo(String.format(Locale.ROOT, "σS/σT (before IRM) %.3f", beforeIrm));
        assertThat(ratio.getTooltip().getText()).contains("before IRM");
        // and after the quantizer, the ratio after the quantizer
        robot.clickOn("#stagePicker").clickOn("after quantizer");
        assertThat(ratio.getText()).isEqualTo(String.format(Locale.ROOT, "σS/σT (after quantizer) %.3f", quantized));
        assertThat(ratio.getTooltip().getText()).contains("quantized q");
    }

    @Test
    void theAccuracyChartShowsTheTeachersReferenceLine(FxRobot robot) throws Exception {
        // given a short run whose student is far below its 89.33 % teacher
        showRecordedRun(robot);
        double teacher = 100 * RecordedRun.teacher().accuracy();
        double best = 100 * run(RunEvent.Step.class).stream().mapToDouble(s -> s.metrics().accuracy()).max().orElseThrow();
        assertThat(best).as("premise: the student's best batch is below the teacher").isLessThan(teacher - 10);
        // when the losses are shown
        robot.clickOn("#tab-losses");
        // then the accuracy axis reaches the teacher's line and the student's points
        ValueAxis axis = ((XYPlot) chart(robot, "#accuracyChart").getPlot()).getRangeAxis();
        assertThat(axis.getRange().contains(teacher)).as("axis %s holds %.2f", axis.getRange(), teacher).isTrue();
        assertThat(axis.getRange().contains(best)).isTrue();
    }

    @Test
    void theOverviewMarksTheIdealOnItsScaleAndShowsACellsValueOnHover(FxRobot robot) throws Exception {
        // given a student run in the overview, showing the q std ratio
        showRecordedRun(robot);
        ChartPane overview = robot.lookup("#overviewHeatmap").queryAs(ChartPane.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, overview::settled);
        // then its colour bar marks 1 (the teacher's spread) inside its range
        ColourBarAxis scale = (ColourBarAxis) HeatmapChart.colourBarOf(overview.chart()).getAxis();
        assertThat(scale.mark()).isEqualTo(1.0);
        assertThat(scale.getRange().contains(1.0)).isTrue();
        // when the mouse rests on the cell of layer 1, head 2
        robot.moveTo(cellOnScreen(overview, 1, 2));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> overview.hoverTooltip().isShowing());
        // then the cell's number is shown
        double value = HeadMetric.QUERY_STD_RATIO.of(start().teacher(), student(), null, 1, 2);
        assertThat(overview.hoverTooltip().getText())
                .isEqualTo(String.format(Locale.ROOT, "layer 1, head 2: q std ratio σS/σT %.3f", value));
        // and the code entropy's scale marks its maximum, the bits
        robot.clickOn("#overviewMetric").clickOn(HeadMetric.QUERY_CODE_ENTROPY.label());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, overview::settled);
        ColourBarAxis entropy = (ColourBarAxis) HeatmapChart.colourBarOf(overview.chart()).getAxis();
        assertThat(entropy.mark()).isEqualTo(2.0);
        assertThat(entropy.getRange().contains(2.0)).isTrue();
    }

    @Test
    void logScaleAxesShowRoundNumbersAndTheirLabelsFit(FxRobot robot) throws Exception {
        // given the losses of a run
        showRecordedRun(robot);
        robot.clickOn("#tab-losses");
        // when the log scale is switched on
        robot.clickOn("#logScale");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Layout.chartsSettled(window.scene()));
        // then the loss and DGD axes are labelled with round numbers, not powers like 10^0.18, and fit
        for (String id : new String[]{"#lossChart", "#dgdChart"}) {
            List<String> ticks = rangeTicks(robot.lookup(id).queryAs(ChartPane.class));
            assertThat(ticks).as(id).hasSizeGreaterThanOrEqualTo(2).allMatch(t -> t.matches("\\d+(\\.\\d+)?"));
        }
        robot.interact(() -> assertThat(Layout.cutAxisLabels(window.scene())).isEmpty());
    }

    @Test
    void theCodeUsageAxisShowsOnlyTheQuantizersCodes(FxRobot robot) throws Exception {
        // given the quantizers of a 2-bit student (signed codes -2..1)
        showRecordedRun(robot);
        robot.clickOn("#tab-quantizers");
        // then the code axis spans exactly the codes' bars
        XYPlot plot = (XYPlot) chart(robot, "#codeUsageChart").getPlot();
        var data = plot.getDataset();
        double first = data.getXValue(0, 0);
        double last = data.getXValue(0, data.getItemCount(0) - 1);
        assertThat(last - first + 1).isEqualTo(4);
        assertThat(plot.getDomainAxis().getLowerBound()).isEqualTo(first - 0.5);
        assertThat(plot.getDomainAxis().getUpperBound()).isEqualTo(last + 0.5);
    }

    @Test
    void differenceMapsTakeTheDarkThemesBackground(FxRobot robot) throws Exception {
        // given the attention view, light: no difference is drawn near white
        showRecordedRun(robot);
        robot.clickOn("#tab-attention");
        assertThat(luminanceOfNoDifference(robot)).isGreaterThan(0.9);
        // when the dark theme is chosen from the menu
        robot.clickOn("View").clickOn("Dark theme");
        // then no difference is drawn near the dark background
        assertThat(luminanceOfNoDifference(robot)).isLessThan(0.2);
    }

    @Test
    void theExportDialogFitsTheScreenAndWritesTheChart(FxRobot robot, @TempDir Path dir) throws Exception {
        // given the distributions of a run
        showRecordedRun(robot);
        // when Ctrl+E asks to export the chart
        robot.press(KeyCode.CONTROL).type(KeyCode.E).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#exportName").tryQuery().isPresent());
        // then the dialog fits the screen
        Window dialog = robot.lookup("#exportName").query().getScene().getWindow();
        assertThat(dialog.getHeight()).isLessThanOrEqualTo(Screen.getPrimary().getVisualBounds().getHeight());
        // and a folder and a name typed in it write the PNG there
        robot.clickOn("#exportFolder").press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL)
                .write(dir.toString()).type(KeyCode.ENTER);
        robot.clickOn("#exportName").press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write("q");
        robot.clickOn("#exportConfirm");
        Path png = dir.resolve("q.png");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> Files.exists(png));
        assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isGreaterThanOrEqualTo(640);
        assertThat(WorkbenchKeyboardTest.status(robot)).isEqualTo("Exported " + png);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSwinRunShowsEachBlocksOwnHeadsAndTheWindowsOfItsAttention(FxRobot robot) throws Exception {
        // given a short real run of a small Swin student: blocks of 1, 1 and 2 heads, the first two in 4 windows
        List<RunEvent> events = swinRun();
        robot.interact(() -> window.workbench().showRun(events));
        robot.clickOn("#tab-attention");
        javafx.scene.control.ComboBox<Integer> windows = robot.lookup("#windowPicker").queryAs(
                javafx.scene.control.ComboBox.class);
        javafx.scene.control.ComboBox<Integer> heads = robot.from(windows.getParent().getParent())  // its toolbar
                .lookup("#headPicker").queryAs(javafx.scene.control.ComboBox.class);
        // when block 0 is shown: four windows to pick from, one head
        robot.interact(() -> window.workbench().select(window.workbench().selection().withLayerHead(0, 0)));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(windows.getParent().isVisible()).isTrue();
        assertThat(windows.getItems()).containsExactly(0, 1, 2, 3);
        assertThat(heads.getItems()).containsExactly(0);
        assertThat(chart(robot, "#clsStudent").getTitle().getText()).startsWith("attention received");
        // and block 2 (the last stage: one window, two heads)
        robot.interact(() -> window.workbench().select(window.workbench().selection().withLayerHead(2, 1)));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(windows.getParent().isVisible()).as("the window picker").isFalse();
        assertThat(heads.getItems()).containsExactly(0, 1);
        // then the overview has a row per block, as wide as the widest, and nothing beyond a block's heads
        robot.clickOn("#tab-distributions");
        XYPlot plot = (XYPlot) chart(robot, "#overviewHeatmap").getPlot();
        assertThat(plot.getDataset().getItemCount(0)).isEqualTo(3 * 2);
    }

    private static List<RunEvent> swinRun() throws Exception {
        dev.qvit.model.swin.SwinConfig config = new dev.qvit.model.swin.SwinConfig(28, 2, 1, 8, List.of(2, 1),
                List.of(1, 2), 7, 2, 10);
        dev.qvit.model.experiment.ExperimentRun.Teacher teacher = new dev.qvit.model.experiment.ExperimentRun.Teacher(
                dev.qvit.model.swin.SwinTransformer.create(config, 5), 0.5);
        dev.qvit.model.experiment.ExperimentSpec spec = dev.qvit.model.experiment.ExperimentSpec.student(config,
                new dev.qvit.model.experiment.ExperimentSpec.Data("bundled", 100, 50), "test",
                dev.qvit.model.quant.QuantizationConfig.of(4, dev.qvit.model.quant.QuantizationConfig.Rectification.TOKEN),
                dev.qvit.model.train.DistillationSettings.on(0.1), 1, 3)
                .withTraining(dev.qvit.model.experiment.ExperimentSpec.qatRecipe(1, 2e-4, 3).withBatchSize(50));
        List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.qvit.model.experiment.ExperimentRun.prepare(spec, teacher,
                dev.qvit.model.experiment.RunOptions.headless(1).probingEvery(0)).run(events::add,
                new dev.qvit.model.train.RunControl());
        return events;
    }

    private void showRecordedRun(FxRobot robot) throws Exception {
        List<RunEvent> events = RecordedRun.events();
        robot.interact(() -> window.workbench().showRun(events));
    }

    private static <T> List<T> run(Class<T> type) throws Exception {
        return RecordedRun.events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static RunEvent.Started start() throws Exception {
        return run(RunEvent.Started.class).get(0);
    }

    private static ModelSnapshot student() throws Exception {
        List<RunEvent.Probed> snapshots = run(RunEvent.Probed.class);
        return snapshots.get(snapshots.size() - 1).snapshot().model();
    }

    private static double expectedRatio(LayerProbe.Stage stage) throws Exception {
        return student().distribution(0, 0, Tensor.QUERY, stage).fit().std()
                / start().teacher().distribution(0, 0, Tensor.QUERY, LayerProbe.Stage.RAW).fit().std();
    }

    private static JFreeChart chart(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(ChartPane.class).chart();
    }

    private static String title(FxRobot robot, String id) {
        return chart(robot, id).getTitle().getText();
    }

    /** The tick labels of a drawn chart's value axis. */
    private static List<String> rangeTicks(ChartPane pane) {
        ValueAxis axis = ((XYPlot) pane.chart().getPlot()).getRangeAxis();
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB).createGraphics();
        try {
            List<?> ticks = axis.refreshTicks(g, new AxisState(), pane.dataArea(), RectangleEdge.LEFT);
            return ticks.stream().map(WorkbenchViewsTest::label).filter(t -> !t.isEmpty()).toList();
        } finally {
            g.dispose();
        }
    }

    /** A tick's label as drawn: JFreeChart's own log axis writes powers as attributed text ("10" + "0.18" raised). */
    private static String label(Object tick) {
        if (tick instanceof LogTick log && log.getAttributedLabel() != null) {
            var text = log.getAttributedLabel().getIterator();
            StringBuilder b = new StringBuilder();
            for (char c = text.first(); c != java.text.CharacterIterator.DONE; c = text.next()) {
                b.append(c);
            }
            return b.insert(Math.min(2, b.length()), "^").toString();
        }
        String text = ((ValueTick) tick).getText();
        return text == null ? "" : text;
    }

    /** Relative luminance (0 black .. 1 white) of the colour the attention difference map gives to 0. */
    private static double luminanceOfNoDifference(FxRobot robot) {
        XYBlockRenderer renderer = (XYBlockRenderer) ((XYPlot) chart(robot, "#matrixDifference").getPlot())
                .getRenderer();
        Color c = (Color) renderer.getPaintScale().getPaint(0);
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255;
    }
}
