package dev.qvit.app.fx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.quant.UniformQuantizer;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
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
 * The guided demo on the bundled teacher: step 1's interactive quantizer answers its controls with the right numbers;
 * steps 2-4 train their students live and draw the engine's probes of them; Next/Back and the keys turn the steps.
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class GuidedDemoTest {
    /** The live students train on this many bundled images in the tests: two steps of 128. */
    private static final int TRAIN_IMAGES = 256;
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        System.setProperty(WorkbenchApplication.DEMO_TRAIN_LIMIT_PROPERTY, String.valueOf(TRAIN_IMAGES));
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void forgetSettings(FxRobot robot) throws Exception {
        if (window.demo() != null) {
            robot.interact(() -> window.demo().stage().hide());   // stops its live students: no training after
        }
        Thread.sleep(200);
        Files.deleteIfExists(WorkbenchSettings.file());
    }

    private GuidedDemo open(FxRobot robot) throws Exception {
        robot.interact(window::showDemo);
        GuidedDemo demo = window.demo();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> demo.quantizer != null
                && demo.quantizer.distribution.drawn() && demo.quantizer.codes.drawn());
        return demo;
    }

    @Test
    void stepOneQuantizesTheTeachersQueriesAndAnswersEveryControl(FxRobot robot) throws Exception {
        GuidedDemo demo = open(robot);
        QuantizerStep q = demo.quantizer;
        // given step 1 on screen: the teacher's q of block 0 head 0 at 2 bits, from LSQ's initial step
        assertThat(demo.currentStep()).isZero();
        assertThat(q.tensor.getValue()).isEqualTo("queries q");
        assertThat(q.bitWidth()).isEqualTo(2);
        float[] query = q.values();
        assertThat(query).hasSize(30 * 50 * 16);                        // 30 probe images, 50 tokens, d = 16
        assertThat(q.step()).isCloseTo(UniformQuantizer.lsqInitialStep(query, 2, true), within(1e-9));
        // and the charts are drawn from those values: the histogram with 4 levels marked, 4 code bars
        XYPlot plot = q.distribution.chart().getXYPlot();
        assertThat(plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND)).hasSize(4);
        assertThat(q.codes.chart().getXYPlot().getDataset().getItemCount(0)).isEqualTo(4);
        // when the bit width goes to 4 (the keyboard on the focused slider)
        robot.interact(() -> q.bits.requestFocus());
        robot.type(KeyCode.RIGHT, 2);
        // then 16 levels are shown and the numbers follow
        assertThat(q.bitWidth()).isEqualTo(4);
        assertThat(q.levels.getText()).isEqualTo("16 levels, codes -8…7");
        assertThat(q.distribution.chart().getXYPlot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND)).hasSize(16);
        // and the arrows did not turn the page while the slider had the focus
        assertThat(demo.currentStep()).isZero();
        // when the entropy button is pressed, the step is the one of highest code entropy
        robot.interact(q.entropy::fire);
        double best = UniformQuantizer.entropyMaximisingStep(query, 4, true);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Math.abs(q.step() - best) < 1e-9 * best);
        assertThat(q.outcome.usage().entropyBits()).isGreaterThanOrEqualTo(
                UniformQuantizer.apply(query, 4, true, UniformQuantizer.lsqInitialStep(query, 4, true)).usage().entropyBits());
        // when another tensor is chosen (the qkv weights of block 1), the head box no longer applies
        robot.interact(() -> q.tensor.getSelectionModel().select("weights blocks.1.attn.qkv.weight"));
        assertThat(q.head.isDisabled()).isTrue();
        assertThat(q.values()).hasSize(3 * 64 * 64);
    }

    @Test
    void nextAndBackTurnTheStepsAndTheLastShowsTheShippedGrid(FxRobot robot) throws Exception {
        GuidedDemo demo = open(robot);
        assertThat(demo.back.isDisabled()).isTrue();
        // when Page Down is pressed (whatever has the focus) until the last step
        robot.interact(() -> demo.quantizer.bits.requestFocus());
        robot.type(KeyCode.PAGE_DOWN, 4);
        assertThat(demo.stepCount()).isEqualTo(5);
        // then the last step shows the grid shipped with the workbench: its rows, computed sentences and bar chart
        assertThat(demo.currentStep()).isEqualTo(demo.stepCount() - 1);
        assertThat(demo.position.getText()).isEqualTo(demo.stepCount() + " / " + demo.stepCount());
        assertThat(demo.next.isDisabled()).isTrue();
        ResultStep result = demo.result;
        ShippedGrid grid = ShippedGrid.load();
        assertThat(grid.cells()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(result.table.getItems()).hasSameSizeAs(result.rows).extracting(r -> r.label())
                .contains("W2A2 baseline", "W2A2 IRM(distribution)", "W2A2 DGD");
        assertThat(result.verdicts.getChildren()).hasSize(ResultStep.verdicts(result.rows, 0.8933).size());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, result.bars::drawn);
        // when Back is pressed, the step before is back; from step 1 the right arrow on a button turns the page
        robot.interact(demo.back::fire);
        assertThat(demo.currentStep()).isEqualTo(demo.stepCount() - 2);
        robot.type(KeyCode.PAGE_UP, 3);
        assertThat(demo.currentStep()).isZero();
        robot.interact(() -> demo.next.requestFocus());
        robot.type(KeyCode.RIGHT);
        assertThat(demo.currentStep()).isEqualTo(1);
        robot.type(KeyCode.PAGE_UP);
        assertThat(demo.currentStep()).isZero();
    }

    @Test
    void theReadoutsAreTheHandComputedNumbersOfAKnownTensor(FxRobot robot) throws Exception {
        GuidedDemo demo = open(robot);
        QuantizerStep q = demo.quantizer;
        // given six values at 2 bits with step 0.5 (worked out by hand in UniformQuantizerTest)
        robot.interact(() -> {
            q.use("six values", new float[] {-1.0f, -0.4f, 0.1f, 0.26f, 0.9f, 2.5f});
            q.bits.setValue(2);
            q.setStep(0.5);
        });
        // then: codes -2, -1, 0, 1, 1, 1; 2 of 6 clipped; MSE 4.2376 / 6; SQNR 10 log10(8.2976 / 4.2376); H 1.79 bits
        assertThat(q.stepValue.getText()).isEqualTo("s = 0.5000");
        assertThat(q.clipped.getText()).isEqualTo("clipped 33.33 %");
        assertThat(q.mse.getText()).isEqualTo("MSE 0.706");
        assertThat(q.sqnr.getText()).isEqualTo("SQNR 2.9 dB");
        assertThat(q.codeEntropy.getText()).isEqualTo("code entropy 1.79 of 2 bits");
        assertThat(q.codes.chart().getXYPlot().getDataset().getYValue(0, 3)).isCloseTo(0.5, within(1e-12));
        // when LSQ's initialisation is asked for: s = 2 mean|x| / sqrt(1) = 1.72
        robot.interact(q.lsq::fire);
        assertThat(q.stepValue.getText()).isEqualTo("s = 1.720");
        // and the change reached the screen, its latency measured (logged, not asserted)
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !demo.latency.measured().isEmpty());
        for (int i = 0; i < 20; i++) {
            double s = 0.2 + 0.05 * i;
            robot.interact(() -> q.setStep(s));
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> q.distribution.settled() && q.codes.settled());
        }
        System.out.println("demo step 1 control to picture: " + demo.latency.summary());
    }
    @Test
    void theStudentStepsTrainLiveAndDrawTheEnginesProbes(FxRobot robot) throws Exception {
        GuidedDemo demo = open(robot);
        // when step 2 comes on screen, its 2-bit baseline starts training at once, and says it is live
        robot.interact(demo.next::fire);
        StudentStep baseline = demo.students.baseline();
        assertThat(baseline.mode.getText()).startsWith("LIVE · trained now on this machine: W2A2 baseline")
                .contains("256 bundled");
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, baseline::finished);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(baseline.status.getText()).startsWith("finished in ").contains("% test accuracy");
        // then its histograms are the probe's: the σ ratio readout of block 3, head 0 is the snapshot's own
        dev.qvit.viz.fx.ViewData d = baseline.data();
        assertThat(d.model().quantized()).isTrue();
        assertThat(d.current().step()).isEqualTo(1);                     // the last of two steps is always probed
        double ratio = dev.qvit.records.HeadMetric.QUERY_STD_RATIO.of(d.teacher(), d.model(), null, 3, 0);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> baseline.view(DemoStudents.HISTOGRAMS).mainChart().drawn());
        assertThat(robot.from(demo.stage().getScene().getRoot()).lookup("#stdRatio").queryLabeled().getText())
                .isEqualTo(String.format(java.util.Locale.ROOT, "σS/σT (after quantizer) %.3f", ratio));
        // and the other tabs draw when shown
        robot.interact(() -> baseline.showTab(DemoStudents.ATTENTION));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> baseline.view(DemoStudents.ATTENTION).mainChart().drawn());
        // when step 3 comes: the IRM student, compared with the baseline block by block
        robot.interact(demo.next::fire);
        StudentStep irm = demo.students.irm();
        assertThat(irm.spec().quantization().rectification())
                .isEqualTo(dev.qvit.model.quant.QuantizationConfig.Rectification.DISTRIBUTION);
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, irm::finished);
        WaitForAsyncUtils.waitForFxEvents();
        String cell = robot.from(demo.stage().getScene().getRoot()).lookup("#comparison-3-QUERY_STD_RATIO").queryLabeled().getText();
        assertThat(cell).isEqualTo(String.format(java.util.Locale.ROOT, "%.3f → %.3f", meanOverHeads(
                dev.qvit.records.HeadMetric.QUERY_STD_RATIO, baseline.data(), 3), meanOverHeads(
                dev.qvit.records.HeadMetric.QUERY_STD_RATIO, irm.data(), 3)));
        // when step 4 comes: the IRM+DGD student's similarity matrices, the distance readout computed by hand
        robot.interact(demo.next::fire);
        StudentStep qvit = demo.students.qvit();
        assertThat(qvit.spec().distillation().enabled()).isTrue();
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, qvit::finished);
        WaitForAsyncUtils.waitForFxEvents();
        dev.qvit.viz.fx.ViewData g = qvit.data();
        float[] gt = g.teacher().similarity(3, dev.qvit.records.Tensor.QUERY, 0);
        float[] gs = g.model().similarity(3, dev.qvit.records.Tensor.QUERY, 0);
        double squares = 0;
        for (int i = 0; i < gt.length; i++) {
            squares += (gs[i] - (double) gt[i]) * (gs[i] - (double) gt[i]);
        }
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> qvit.view(DemoStudents.SIMILARITY).mainChart().drawn());
        assertThat(robot.from(demo.stage().getScene().getRoot()).lookup("#similarityDistance").queryLabeled().getText())
                .endsWith(String.format(java.util.Locale.ROOT, "||G_T − G_S||_F = %.4f", Math.sqrt(squares)));
        assertThat(squares).isPositive();
        robot.interact(() -> qvit.showTab(DemoStudents.LOSSES));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> qvit.view(DemoStudents.LOSSES).mainChart().drawn());
        // when it is trained again and stopped at once, it says so and keeps what it drew
        robot.interact(qvit.train::fire);
        robot.interact(qvit.stop::fire);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, qvit::finished);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(qvit.status.getText()).startsWith("stopped at step");
        assertThat(qvit.train.isDisabled()).isFalse();
    }

    private static double meanOverHeads(dev.qvit.records.HeadMetric metric, dev.qvit.viz.fx.ViewData d, int layer) {
        double sum = 0;
        for (int h = 0; h < d.model().heads(layer); h++) {
            sum += metric.of(d.teacher(), d.model(), d.distillation(), layer, h);
        }
        return sum / d.model().heads(layer);
    }
}
