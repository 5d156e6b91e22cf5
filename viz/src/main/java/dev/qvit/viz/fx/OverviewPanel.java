package dev.qvit.viz.fx;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.viz.chart.Charts;
import dev.qvit.viz.chart.ColorMaps;
import dev.qvit.viz.chart.HeatmapChart;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.VBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.labels.XYToolTipGenerator;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;

/**
 * Where to look: a layer x head heatmap of one chosen number (std ratio, code entropy, DGD loss, attention entropy)
 * whose colour bar marks the number's ideal (1 for a std ratio: the teacher's spread; b bits of code entropy; 0 DGD
 * loss); hovering a cell shows its value, clicking it selects that layer and head in every view, and while the map
 * has the focus the arrow keys move the selection. Below, every number of the selected head, with its formula on
 * hover. FX thread only.
 */
public final class OverviewPanel extends WorkbenchView {
    private final ComboBox<HeadMetric> metric = new ComboBox<>();
    private final ChartPane heatmap = chartPane();
    private final Label selected = new Label();
    private final Map<HeadMetric, Label> readouts = new EnumMap<>(HeadMetric.class);

    public OverviewPanel() {
        metric.setId("overviewMetric");
        metric.getItems().addAll(HeadMetric.values());
        metric.setValue(HeadMetric.QUERY_STD_RATIO);
        metric.setMaxWidth(Double.MAX_VALUE);
        metric.setOnAction(e -> show(data(), selection()));
        heatmap.setId("overviewHeatmap");
        selected.setId("overviewSelection");
        heatmap.setPrefHeight(300);
        heatmap.setMaxHeight(360);
        VBox.setVgrow(heatmap, javafx.scene.layout.Priority.ALWAYS);   // the map gives way when the panel is short
        heatmap.setFocusTraversable(true);
        heatmap.addEventHandler(KeyEvent.KEY_PRESSED, this::onKey);
        heatmap.setOnChartClick(entity -> {
            if (entity instanceof XYItemEntity cell) {
                XYDataset d = cell.getDataset();
                int head = (int) Math.round(d.getXValue(cell.getSeriesIndex(), cell.getItem()));
                int layer = (int) Math.round(d.getYValue(cell.getSeriesIndex(), cell.getItem()));
                ModelSnapshot model = data() == null ? null : data().model();
                if (model != null && layer < model.layers() && head < model.heads(layer)) {   // not a padding cell
                    select(selection().withLayerHead(layer, head));
                }
            }
        });
        Label title = new Label("OVERVIEW — metric");
        title.getStyleClass().add("section-title");
        VBox box = new VBox(6, title, metric, heatmap, selected);
        selected.getStyleClass().add("section-title");
        for (HeadMetric m : HeadMetric.values()) {
            Label l = readout(m.formula());
            l.setWrapText(true);
            l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
            readouts.put(m, l);
            box.getChildren().add(l);
        }
        Label hint = new Label("Hover a cell for its value, click it to open that head everywhere; with the map "
                + "focused, the arrow keys move the selection.");
        hint.setWrapText(true);
        hint.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        selected.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        box.getChildren().add(hint);
        setCenter(box);
    }

    public HeadMetric metric() {
        return metric.getValue();
    }

    @Override
    public ChartPane mainChart() {
        return heatmap;
    }

    /** Arrows move the selected head (left/right) or layer (up/down), stopping at the edges of the map. */
    private void onKey(KeyEvent e) {
        ModelSnapshot model = data().model();
        if (model == null) {
            return;
        }
        int dLayer = switch (e.getCode()) {
            case UP -> -1;
            case DOWN -> 1;
            default -> 0;
        };
        int dHead = switch (e.getCode()) {
            case LEFT -> -1;
            case RIGHT -> 1;
            default -> 0;
        };
        if (dLayer == 0 && dHead == 0) {
            return;
        }
        Selection s = selection();
        int layer = Math.max(0, Math.min(model.layers() - 1, s.layer() + dLayer));
        select(s.withLayerHead(layer, Math.max(0, Math.min(model.heads(layer) - 1, s.head() + dHead))));
        e.consume();
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        ModelSnapshot model = data.model();
        if (model == null) {
            heatmap.setChart(null);
            selected.setText("no probe yet");
            return;
        }
        DistillationLoss dgd = data.distillation();
        HeadMetric m = metric.getValue();
        double[][] grid = m.grid(data.teacher(), model, dgd);
        double ideal = ideal(m, model);
        JFreeChart chart = HeatmapChart.create(m.label() + ", step " + (data.current().step() + 1), "head", "layer",
                grid, scale(m, grid, ideal), m.label(), ideal, tooltips(m));
        if (!Double.isNaN(ideal)) {
            TextTitle explained = Charts.subtitle(idealText(m, ideal));
            explained.setPosition(RectangleEdge.BOTTOM);
            chart.addSubtitle(0, explained);                   // the first bottom title: under the colour bar
        }
        if (!HeatmapChart.hasFiniteValue(grid)) {
            chart.addSubtitle(Charts.subtitle(data.teacher() == null && !model.quantized()
                    ? "needs a quantized student" : "not computed yet"));
        }
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.addDomainMarker(new ValueMarker(sel.head(), java.awt.Color.RED, new java.awt.BasicStroke(2f)));
        plot.addRangeMarker(new ValueMarker(sel.layer(), java.awt.Color.RED, new java.awt.BasicStroke(2f)));
        heatmap.setChart(chart);
        selected.setText("layer " + sel.layer() + ", head " + sel.head());
        for (HeadMetric each : HeadMetric.values()) {
            double v = each.of(data.teacher(), model, dgd, sel.layer(), sel.head());
            readouts.get(each).setText(each.label() + ": " + (Double.isNaN(v) ? "–" : format(v)));
        }
    }

    /**
     * What the number should be where quantization does no harm: the teacher's spread for a std ratio, all codes
     * equally used (b bits) for a code entropy, no distance to the teacher for DGD; NaN for attention entropy,
     * which has no ideal of its own.
     */
    static double ideal(HeadMetric m, ModelSnapshot model) {
        return switch (m) {
            case QUERY_STD_RATIO, KEY_STD_RATIO -> 1.0;
            case QUERY_CODE_ENTROPY -> model.quantizer(0, Tensor.QUERY).map(q -> (double) q.bits())
                    .orElse(Double.NaN);
            case KEY_CODE_ENTROPY -> model.quantizer(0, Tensor.KEY).map(q -> (double) q.bits())
                    .orElse(Double.NaN);
            case DGD_LOSS -> 0.0;
            case ATTENTION_ENTROPY -> Double.NaN;
        };
    }

    /** A std ratio diverges around 1 (narrower: magenta, wider: green); the others run up to or from their ideal. */
    static PaintScale scale(HeadMetric m, double[][] grid, double ideal) {
        double[] range = HeatmapChart.range(grid);
        if (m == HeadMetric.QUERY_STD_RATIO || m == HeadMetric.KEY_STD_RATIO) {
            return ColorMaps.diverging(ideal, Math.max(0.05, Math.max(Math.abs(range[0] - ideal),
                    Math.abs(range[1] - ideal))));
        }
        double lo = Double.isNaN(ideal) ? range[0] : Math.min(range[0], ideal);
        double hi = Double.isNaN(ideal) ? range[1] : Math.max(range[1], ideal);
        return ColorMaps.viridis(lo, hi > lo ? hi : lo + 1e-9);
    }

    /** What the line on the colour bar marks. */
    static String idealText(HeadMetric m, double ideal) {
        return "line at " + format(ideal) + switch (m) {
            case QUERY_STD_RATIO, KEY_STD_RATIO -> ": the teacher's spread (ideal)";
            case QUERY_CODE_ENTROPY, KEY_CODE_ENTROPY -> " bits: all codes used equally (ideal)";
            case DGD_LOSS -> ": the teacher's similarities (ideal)";
            case ATTENTION_ENTROPY -> "";
        };
    }

    /** "layer 1, head 2: q std ratio σS/σT 1.234". */
    private static XYToolTipGenerator tooltips(HeadMetric m) {
        return (dataset, series, item) -> {
            double v = HeatmapChart.cellValue(dataset, series, item);
            return String.format(Locale.ROOT, "layer %d, head %d: %s %s", Math.round(dataset.getYValue(series, item)),
                    Math.round(dataset.getXValue(series, item)), m.label(), Double.isNaN(v) ? "–" : format(v));
        };
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.3f", v);
    }
}
