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

/** The guided demo on the bundled teacher: step 1's interactive quantizer answers its controls with the right numbers. */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class GuidedDemoTest {
    private WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void forgetSettings() throws Exception {
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
        // when Page Down is pressed (whatever has the focus)
        robot.interact(() -> demo.quantizer.bits.requestFocus());
        robot.type(KeyCode.PAGE_DOWN);
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
        // when Back is pressed, step 1 is back; the right arrow on a button turns the page forward again
        robot.interact(demo.back::fire);
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
}
