package dev.qvit.viz.fx;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import dev.qvit.viz.chart.CurveChart;
import dev.qvit.viz.chart.CurveChart.Line;
import dev.qvit.viz.chart.CurveChart.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;

/**
 * The run's curves against step: task loss, accuracy (train batches, test per epoch, the teacher as reference) and
 * the DGD loss per layer or per head of the selected layer; log-scale toggle; the slider's step is marked.
 */
public final class LossesView extends WorkbenchView {
    /** Exponential moving average weight of the smoothed training curves. */
    static final double SMOOTHING = 0.9;
    private final CheckBox log = new CheckBox("log scale");
    private final ComboBox<String> dgdSplit = new ComboBox<>();
    private final ChartPane loss = chartPane();
    private final ChartPane accuracy = chartPane();
    private final ChartPane dgd = chartPane();
    private final Label summary = readout("last step's task loss (0.5 CE with the labels + 0.5 CE with the teacher's "
            + "argmax for students, CE for a teacher) and the last finished epoch's test accuracy.");

    public LossesView() {
        log.setId("logScale");
        loss.setId("lossChart");
        accuracy.setId("accuracyChart");
        dgd.setId("dgdChart");
        dgdSplit.setId("dgdSplit");
        dgdSplit.getItems().addAll("DGD per layer", "DGD per head of the selected layer");
        dgdSplit.setValue(dgdSplit.getItems().get(0));
        log.setOnAction(e -> show(data(), selection()));
        dgdSplit.setOnAction(e -> show(data(), selection()));
        setTop(toolbar(log, dgdSplit, summary));
        GridPane grid = ChartGrid.of(2, 50, 50);
        grid.add(loss, 0, 0);
        grid.add(accuracy, 1, 0);
        grid.add(dgd, 0, 1, 2, 1);
        setCenter(grid);
    }

    @Override
    public ChartPane mainChart() {
        return loss;
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        List<StepMetrics> steps = data.steps();
        boolean logScale = log.isSelected();
        double marker = data.current() == null ? Double.NaN : data.current().step() + 1;
        int n = steps.size();
        double[] x = new double[n];
        double[] task = new double[n];
        double[] total = new double[n];
        double[] acc = new double[n];
        for (int i = 0; i < n; i++) {
            StepMetrics m = steps.get(i);
            x[i] = m.step() + 1;
            task[i] = m.taskLoss();
            total[i] = m.loss();
            acc[i] = 100 * m.accuracy();
        }
        List<Line> lossLines = new ArrayList<>(List.of(new Line("task loss (smoothed)", x, smooth(task))));
        if (!java.util.Arrays.equals(task, total)) {
            lossLines.add(new Line("task + λ·DGD (smoothed)", x, smooth(total)));
        }
        loss.setChart(CurveChart.create("Training loss — " + data.title(), "step", "loss (nats)", lossLines, logScale,
                List.of(), marker));
        List<Line> accLines = new ArrayList<>();
        accLines.add(new Line("train batches (smoothed)", x, smooth(acc)));
        accLines.add(testAccuracy(steps, data.epochs()));
        List<Reference> refs = Double.isNaN(data.teacherAccuracy()) ? List.of()
                : List.of(new Reference(String.format(Locale.ROOT, "FP teacher %.2f %%", 100 * data.teacherAccuracy()),
                100 * data.teacherAccuracy()));
        accuracy.setChart(CurveChart.create("Accuracy — " + data.title(), "step", "accuracy (%)", accLines, false, refs,
                marker));
        dgd.setChart(CurveChart.create(dgdTitle(sel), "step", "DGD loss", dgdLines(steps, sel), logScale, List.of(),
                marker));
        summary.setText(n == 0 ? "no steps yet" : String.format(Locale.ROOT, "step %d: task loss %.4f%s", n,
                task[n - 1], data.epochs().isEmpty() ? ""
                        : String.format(Locale.ROOT, ", test accuracy %.2f %%",
                        100 * data.epochs().get(data.epochs().size() - 1).testAccuracy())));
    }

    private String dgdTitle(Selection sel) {
        return perHead() ? "DGD loss Σ‖G_T − G_S‖ of layer " + sel.layer() + " per head (q + k)"
                : "DGD loss Σ‖G_T − G_S‖ per layer (q + k, summed over heads)";
    }

    private boolean perHead() {
        return dgdSplit.getSelectionModel().getSelectedIndex() == 1;
    }

    private List<Line> dgdLines(List<StepMetrics> steps, Selection sel) {
        List<StepMetrics> with = steps.stream().filter(m -> m.distillation() != null).toList();
        if (with.isEmpty()) {
            return List.of();
        }
        DistillationLoss first = with.get(0).distillation();
        int shown = Math.min(sel.layer(), first.layers() - 1);
        int count = perHead() ? first.heads(shown) : first.layers();
        List<Line> lines = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            double[] x = new double[with.size()];
            double[] y = new double[with.size()];
            for (int i = 0; i < with.size(); i++) {
                DistillationLoss d = with.get(i).distillation();
                x[i] = with.get(i).step() + 1;
                y[i] = perHead() ? d.of(shown, k) : d.ofLayer(k);
            }
            lines.add(new Line((perHead() ? "head " : "layer ") + k, x, y));
        }
        return lines;
    }

    /** Test accuracy at the last step of each finished epoch. */
    static Line testAccuracy(List<StepMetrics> steps, List<EpochMetrics> epochs) {
        double[] x = new double[epochs.size()];
        double[] y = new double[epochs.size()];
        for (int e = 0; e < epochs.size(); e++) {
            int epoch = epochs.get(e).epoch();
            x[e] = steps.stream().filter(m -> m.epoch() == epoch).mapToLong(StepMetrics::step).max().orElse(0) + 1;
            y[e] = 100 * epochs.get(e).testAccuracy();
        }
        return new Line("test set (end of epoch)", x, y);
    }

    /** Exponential moving average, seeded with the first value. */
    static double[] smooth(double[] values) {
        double[] out = new double[values.length];
        double s = values.length == 0 ? 0 : values[0];
        for (int i = 0; i < values.length; i++) {
            s = SMOOTHING * s + (1 - SMOOTHING) * values[i];
            out[i] = s;
        }
        return out;
    }
}
