package dev.qvit.app.fx;

import dev.qvit.model.probe.TeacherTensors;
import dev.qvit.model.quant.UniformQuantizer;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.QuantizerOutcome;
import dev.qvit.viz.chart.CodeUsageChart;
import dev.qvit.viz.chart.DistributionChart;
import dev.qvit.viz.chart.Palette;
import dev.qvit.viz.fx.ChartPane;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Step 1: what a low-bit quantizer does to a real tensor. The teacher's q or k of one head (or one of its weight
 * matrices) with a b-bit LSQ quantizer on it: bit width and step are dragged, and the levels, the clipped share, the
 * rounding error and the code entropy follow at once; two buttons set LSQ's initial step and the step of highest
 * code entropy. Everything is computed on the FX thread from the values (linear in their count, well under a
 * millisecond for a head's 12k values) except the entropy search, which runs in the background.
 */
final class QuantizerStep implements DemoStep {
    /** Bins of the value histogram. */
    private static final int BINS = 80;
    /** The step slider spans steps from max|x| / (RANGE_BELOW · Qp) to 2 max|x|, on a log scale. */
    private static final double RANGE_BELOW = 200;

    private final TeacherTensors tensors;
    private final java.util.concurrent.Executor background;
    final ComboBox<String> tensor = new ComboBox<>();
    final ComboBox<Integer> layer = new ComboBox<>();
    final ComboBox<Integer> head = new ComboBox<>();
    final Slider bits = new Slider(2, 8, 2);
    final Slider logStep = new Slider();
    final Button lsq = new Button("LSQ initialisation");
    final Button entropy = new Button("Maximum entropy");
    final Label bitsValue = new Label();
    final Label stepValue = new Label();
    final Label levels = new Label();
    final Label clipped = new Label();
    final Label mse = new Label();
    final Label sqnr = new Label();
    final Label codeEntropy = new Label();
    final ChartPane distribution = new ChartPane();
    final ChartPane codes = new ChartPane();
    private final VBox content;
    private LongConsumer redrawn = nanos -> { };
    private float[] values = new float[0];
    private HeadDistribution shape;
    private String valueName = "";
    private boolean adjusting;
    /** The last outcome drawn, for tests and the readouts. */
    QuantizerOutcome outcome;

    QuantizerStep(TeacherTensors tensors, java.util.concurrent.Executor background) {
        this.tensors = tensors;
        this.background = background;
        tensor.getItems().addAll("queries q", "keys k");
        tensors.weightNames().forEach(n -> tensor.getItems().add("weights " + n));
        tensor.getSelectionModel().select(0);
        for (int l = 0; l < tensors.layers(); l++) {
            layer.getItems().add(l);
        }
        for (int h = 0; h < tensors.heads(); h++) {
            head.getItems().add(h);
        }
        layer.getSelectionModel().select(0);
        head.getSelectionModel().select(0);
        tensor.setId("demoTensor");
        tensor.setPrefWidth(240);
        layer.setId("demoLayer");
        head.setId("demoHead");
        bits.setId("demoBits");
        logStep.setId("demoStep");
        lsq.setId("demoLsq");
        entropy.setId("demoEntropy");
        bits.setMajorTickUnit(1);
        bits.setMinorTickCount(0);
        bits.setSnapToTicks(true);
        bits.setShowTickLabels(true);
        bits.setShowTickMarks(true);
        bits.setBlockIncrement(1);
        logStep.setBlockIncrement(0.02);
        tensor.setOnAction(e -> chooseValues());
        layer.setOnAction(e -> chooseValues());
        head.setOnAction(e -> chooseValues());
        bits.valueProperty().addListener((o, a, b) -> {
            if (!adjusting && Math.rint(b.doubleValue()) != Math.rint(a.doubleValue())) {
                keepStepInRange();
                redraw();
            }
        });
        logStep.valueProperty().addListener((o, a, b) -> {
            if (!adjusting) {
                redraw();
            }
        });
        lsq.setOnAction(e -> setStep(UniformQuantizer.lsqInitialStep(values, bitWidth(), signed())));
        entropy.setOnAction(e -> findEntropyMaximum());
        content = layout();
        chooseValues();
    }

    @Override
    public String title() {
        return "What a low-bit quantizer does to a tensor";
    }

    @Override
    public String text() {
        return """
                A b-bit quantizer keeps 2^b values. LSQ, the quantizer of every tensor in Q-ViT, rounds x/s to the \
                integer codes Qn…Qp:
                    Q(x) = s·round(clamp(x/s, Qn, Qp))
                    Qn = −2^(b−1),  Qp = 2^(b−1) − 1
                The step s sets the spacing of the levels (ticks) and the clipping range [s·Qn, s·Qp] (shaded): a \
                small step rounds finely but clips the tails, a large one keeps them and leaves levels empty.
                Drag b and s and watch the rounding error (MSE, SQNR) and the code entropy: the information the \
                codes carry, at most b bits.
                LSQ starts at s = 2·mean|x|/√Qp and learns s in training. Maximum entropy spreads the codes most \
                evenly; IRM aims at the same by reshaping q and k.""";
    }

    @Override
    public Node content() {
        return content;
    }

    @Override
    public void shown() {
        redraw();
    }

    /** Called with the nanoseconds from a control's change to the quantizer's numbers and charts being handed over. */
    void onRedrawn(LongConsumer listener) {
        this.redrawn = listener;
    }

    private VBox layout() {
        GridPane controls = new GridPane();
        controls.setHgap(8);
        controls.getStyleClass().add("demo-controls");
        controls.setVgap(6);
        controls.addRow(0, new Label("Tensor"), tensor, new Label("Block"), layer, new Label("Head"), head);
        HBox.setHgrow(bits, Priority.ALWAYS);
        HBox.setHgrow(logStep, Priority.ALWAYS);
        bits.setPrefWidth(260);
        logStep.setPrefWidth(260);
        controls.addRow(1, new Label("Bits b"), bits, bitsValue);
        controls.addRow(2, new Label("Step s"), logStep, stepValue);
        GridPane.setColumnSpan(bits, 3);
        GridPane.setColumnSpan(logStep, 3);
        GridPane.setColumnIndex(bitsValue, 4);
        GridPane.setColumnIndex(stepValue, 4);
        HBox buttons = new HBox(8, lsq, entropy);
        javafx.scene.layout.FlowPane readouts = new javafx.scene.layout.FlowPane(18, 4, levels, clipped, mse, sqnr,
                codeEntropy);
        for (Label l : List.of(levels, clipped, mse, sqnr, codeEntropy)) {
            l.getStyleClass().add("readout");
        }
        levels.setId("demoLevels");
        clipped.setId("demoClipped");
        mse.setId("demoMse");
        sqnr.setId("demoSqnr");
        codeEntropy.setId("demoEntropyBits");
        distribution.setId("demoDistribution");
        codes.setId("demoCodes");
        VBox.setVgrow(distribution, Priority.ALWAYS);
        codes.setPrefHeight(170);
        codes.setMinHeight(120);
        VBox box = new VBox(8, controls, buttons, readouts, distribution, codes);
        box.setPadding(new Insets(8));
        return box;
    }

    /** The tensor, block and head chosen: takes their values and sets the step to LSQ's start. */
    private void chooseValues() {
        String t = tensor.getValue();
        boolean perHead = !t.startsWith("weights ");
        layer.setDisable(!perHead);
        head.setDisable(!perHead);
        if (t.equals("queries q")) {
            use("q, block %d head %d".formatted(layer.getValue(), head.getValue()),
                    tensors.query(layer.getValue(), head.getValue()));
        } else if (t.equals("keys k")) {
            use("k, block %d head %d".formatted(layer.getValue(), head.getValue()),
                    tensors.key(layer.getValue(), head.getValue()));
        } else {
            String name = t.substring("weights ".length());
            use(name, tensors.weight(name));
        }
    }

    /** Quantizes {@code x} from now on, starting at LSQ's step. */
    void use(String name, float[] x) {
        values = x.clone();
        valueName = name;
        shape = HeadDistribution.of(values, BINS);
        keepStepInRange();
        setStep(UniformQuantizer.lsqInitialStep(values, bitWidth(), signed()));
    }

    /** The slider's range for the current bits and values; the step stays where it was if it fits. */
    private void keepStepInRange() {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        max = Math.max(max, 1e-6);
        int qp = UniformQuantizer.highestCode(bitWidth(), signed());
        double keep = logStep.getValue();
        adjusting = true;
        logStep.setMin(-300);                                  // never min > max on the way
        logStep.setMax(Math.log10(2 * max));
        logStep.setMin(Math.log10(max / (RANGE_BELOW * qp)));
        logStep.setValue(Math.max(logStep.getMin(), Math.min(logStep.getMax(), keep)));
        adjusting = false;
    }

    void setStep(double step) {
        adjusting = true;
        logStep.setValue(Math.max(logStep.getMin(), Math.min(logStep.getMax(), Math.log10(step))));
        adjusting = false;
        redraw();
    }

    /** The values being quantized (a copy). */
    float[] values() {
        return values.clone();
    }

    double step() {
        return Math.pow(10, logStep.getValue());
    }

    int bitWidth() {
        return (int) Math.rint(bits.getValue());
    }

    /** q, k and weights take both signs: a signed quantizer, as the engine's for them. */
    private boolean signed() {
        return true;
    }

    private void findEntropyMaximum() {
        float[] x = values;
        int b = bitWidth();
        entropy.setDisable(true);
        background.execute(() -> {
            double s = UniformQuantizer.entropyMaximisingStep(x, b, true);
            javafx.application.Platform.runLater(() -> {
                entropy.setDisable(false);
                if (x == values && b == bitWidth()) {
                    setStep(s);
                }
            });
        });
    }

    /** Quantizes the values with the current bits and step and shows it: readouts and both charts. */
    void redraw() {
        long start = System.nanoTime();
        int b = bitWidth();
        double s = step();
        outcome = UniformQuantizer.apply(values, b, true, s);
        bitsValue.setText(b + " bits");
        stepValue.setText(String.format(Locale.ROOT, "s = %.4g", s));
        levels.setText(String.format(Locale.ROOT, "%d levels, codes %d…%d", 1 << b, outcome.lowestCode(),
                outcome.highestCode()));
        clipped.setText(String.format(Locale.ROOT, "clipped %.2f %%", 100 * outcome.usage().clipFraction()));
        mse.setText(String.format(Locale.ROOT, "MSE %.3g", outcome.mse()));
        sqnr.setText(Double.isInfinite(outcome.sqnrDb()) ? "SQNR ∞" : String.format(Locale.ROOT, "SQNR %.1f dB",
                outcome.sqnrDb()));
        codeEntropy.setText(String.format(Locale.ROOT, "code entropy %.2f of %d bits", outcome.usage().entropyBits(), b));
        List<DistributionChart.Curve> curves = new ArrayList<>();
        curves.add(new DistributionChart.Curve("teacher " + valueName, shape, Palette.TEACHER));
        distribution.setChart(DistributionChart.create(valueName + " with a " + b + "-bit quantizer", valueName,
                curves, DistributionChart.Levels.of(s, 0, outcome.lowestCode(), outcome.highestCode(),
                        outcome.usage().clipFraction())));
        codes.setChart(CodeUsageChart.create(String.format(Locale.ROOT, "code usage: entropy %.2f of %d bits",
                outcome.usage().entropyBits(), b), outcome.lowestCode(), outcome.usage().counts(), Palette.STUDENT));
        redrawn.accept(System.nanoTime() - start);
    }
}
