package dev.qvit.viz.fx;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.StepMetrics;
import dev.qvit.records.Tensor;
import dev.qvit.viz.chart.CurveChart;
import dev.qvit.viz.chart.DistributionChart;
import dev.qvit.viz.chart.HeatmapChart;
import dev.qvit.viz.chart.Palette;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.TilePane;
import org.jfree.chart.JFreeChart;

/**
 * Two or more runs side by side: their test accuracy per epoch and training loss per step overlaid, the q or k
 * histograms of one layer and head (at a chosen stage) of each run's last snapshot overlaid on the teacher's, and
 * one overview heatmap per run on a shared colour scale. Fed with plain records. FX thread only.
 */
public final class ComparisonView extends BorderPane {
    /** One run to compare: its name, numbers, the teacher's snapshot (or null) and its last snapshot (or null). */
    public record Run(String name, List<StepMetrics> steps, List<EpochMetrics> epochs, ModelSnapshot teacher,
                      ModelSnapshot last) {
        public Run {
            steps = List.copyOf(steps);
            epochs = List.copyOf(epochs);
        }

        DistillationLoss lastDistillation() {
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (steps.get(i).distillation() != null) {
                    return steps.get(i).distillation();
                }
            }
            return null;
        }
    }

    private final List<Run> runs;
    final ChartPane accuracy = new ChartPane();
    final ChartPane loss = new ChartPane();
    final ChartPane histograms = new ChartPane();
    final TilePane heatmaps = new TilePane(8, 8);
    final Spinner<Integer> layer;
    final Spinner<Integer> head;
    final ComboBox<Tensor> tensor = new ComboBox<>();
    final ComboBox<Stage> stage = new ComboBox<>();
    final ComboBox<HeadMetric> metric = new ComboBox<>();

    public ComparisonView(List<Run> runs) {
        if (runs.size() < 2) {
            throw new IllegalArgumentException("a comparison needs two runs or more");
        }
        this.runs = List.copyOf(runs);
        int layers = runs.stream().filter(r -> r.last() != null).mapToInt(r -> r.last().layers()).min().orElse(1);
        int heads = runs.stream().filter(r -> r.last() != null).mapToInt(r -> r.last().maxHeads()).min().orElse(1);
        layer = new Spinner<>(0, Math.max(0, layers - 1), 0);
        head = new Spinner<>(0, Math.max(0, heads - 1), 0);
        layer.setId("compareLayer");
        head.setId("compareHead");
        tensor.getItems().addAll(Tensor.values());
        tensor.setValue(Tensor.QUERY);
        stage.getItems().addAll(Stage.values());
        stage.setValue(Stage.QUANTIZED);
        metric.getItems().addAll(HeadMetric.values());
        metric.setValue(HeadMetric.QUERY_STD_RATIO);
        metric.setId("compareMetric");
        accuracy.setId("compareAccuracy");
        loss.setId("compareLoss");
        histograms.setId("compareHistograms");
        heatmaps.setId("compareHeatmaps");
        for (var c : List.of(layer.valueProperty(), head.valueProperty(), tensor.valueProperty(), stage.valueProperty(),
                metric.valueProperty())) {
            c.addListener((o, a, b) -> redraw());
        }
        HBox controls = new HBox(8, new Label("layer"), layer, new Label("head"), head, tensor, stage,
                new Label("overview"), metric);
        controls.setAlignment(Pos.CENTER_LEFT);
        controls.setPadding(new Insets(6));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.setPadding(new Insets(0, 6, 6, 6));
        for (int i = 0; i < 2; i++) {
            javafx.scene.layout.ColumnConstraints half = new javafx.scene.layout.ColumnConstraints();
            half.setPercentWidth(50);
            grid.getColumnConstraints().add(half);
            javafx.scene.layout.RowConstraints row = new javafx.scene.layout.RowConstraints();
            row.setPercentHeight(50);
            grid.getRowConstraints().add(row);
        }
        grid.add(accuracy, 0, 0);
        grid.add(loss, 1, 0);
        grid.add(histograms, 0, 1);
        grid.add(heatmaps, 1, 1);
        heatmaps.setPrefColumns(Math.min(runs.size(), 3));
        heatmaps.setAlignment(Pos.CENTER);
        for (javafx.scene.layout.Region p : List.of(accuracy, loss, histograms, heatmaps)) {
            p.setMinSize(0, 0);
            GridPane.setHgrow(p, Priority.ALWAYS);
            GridPane.setVgrow(p, Priority.ALWAYS);
        }
        setTop(controls);
        setCenter(grid);
        redraw();
    }

    private void redraw() {
        List<CurveChart.Line> acc = new ArrayList<>();
        List<CurveChart.Line> steps = new ArrayList<>();
        for (Run r : runs) {
            acc.add(new CurveChart.Line(r.name(), r.epochs().stream().mapToDouble(e -> e.epoch() + 1).toArray(),
                    r.epochs().stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray()));
            steps.add(new CurveChart.Line(r.name(), r.steps().stream().mapToDouble(s -> s.step() + 1).toArray(),
                    r.steps().stream().mapToDouble(StepMetrics::taskLoss).toArray()));
        }
        accuracy.setChart(CurveChart.create("Test accuracy per epoch", "epoch", "test accuracy (%)", acc, false,
                List.of(), Double.NaN, 1));
        loss.setChart(CurveChart.create("Training task loss per step", "step", "cross-entropy (log scale)", steps, true,
                List.of(), Double.NaN));
        histograms.setChart(distributions());
        heatmaps();
    }

    private JFreeChart distributions() {
        int l = layer.getValue();
        int h = head.getValue();
        List<DistributionChart.Curve> curves = new ArrayList<>();
        ModelSnapshot teacher = runs.stream().map(Run::teacher).filter(t -> t != null).findFirst().orElse(null);
        if (teacher != null && l < teacher.layers() && h < teacher.heads(l)) {
            curves.add(new DistributionChart.Curve("teacher " + tensor.getValue().symbol(),
                    teacher.distribution(l, h, tensor.getValue(), Stage.RAW), Palette.TEACHER));
        }
        for (int i = 0; i < runs.size(); i++) {
            ModelSnapshot s = runs.get(i).last();
            if (s != null && l < s.layers() && h < s.heads(l)) {
                Stage at = s.quantized() ? stage.getValue() : Stage.RAW;
                curves.add(new DistributionChart.Curve(runs.get(i).name(), s.distribution(l, h, tensor.getValue(), at),
                        Palette.series(i + 1)));
            }
        }
        String title = String.format(Locale.ROOT, "%s of layer %d, head %d, %s (last snapshot of each run)",
                tensor.getValue().symbol(), l, h, stage.getValue().name().toLowerCase(Locale.ROOT));
        return DistributionChart.create(title, tensor.getValue().symbol() + " value", curves, null);
    }

    /** One heatmap per run, all on the colour scale of their common range. */
    private void heatmaps() {
        HeadMetric m = metric.getValue();
        List<double[][]> grids = new ArrayList<>();
        List<double[]> all = new ArrayList<>();
        for (Run r : runs) {
            double[][] g = r.last() == null ? new double[][] {{Double.NaN}} : m.grid(r.teacher(), r.last(),
                    r.lastDistillation());
            grids.add(g);
            all.addAll(List.of(g));
        }
        ModelSnapshot any = runs.stream().map(Run::last).filter(s -> s != null).findFirst().orElse(null);
        double ideal = any == null ? Double.NaN : OverviewPanel.ideal(m, any);
        var scale = OverviewPanel.scale(m, all.toArray(new double[0][]), ideal);
        heatmaps.getChildren().clear();
        for (int i = 0; i < runs.size(); i++) {
            ChartPane p = new ChartPane();
            p.setPrefSize(Math.max(200, 600 / Math.min(runs.size(), 3)), 330);
            p.setChart(HeatmapChart.create(runs.get(i).name(), "head", "layer", grids.get(i), scale, m.label()));
            heatmaps.getChildren().add(p);
        }
    }
}
