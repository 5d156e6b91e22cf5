package dev.qvit.viz.fx;

import dev.qvit.model.snapshot.DistillationLoss;
import dev.qvit.model.snapshot.HeadMetric;
import dev.qvit.model.snapshot.ModelSnapshot;
import dev.qvit.viz.chart.ColorMaps;
import dev.qvit.viz.chart.HeatmapChart;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.data.xy.XYDataset;

/**
 * Where to look: a layer x head heatmap of one chosen number (std ratio, code entropy, DGD loss, attention entropy);
 * clicking a cell selects that layer and head in every view. Below, every number of the selected head, each with its
 * formula on hover.
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
        heatmap.setPrefHeight(300);
        heatmap.setOnChartClick(entity -> {
            if (entity instanceof XYItemEntity cell) {
                XYDataset d = cell.getDataset();
                int head = (int) Math.round(d.getXValue(cell.getSeriesIndex(), cell.getItem()));
                int layer = (int) Math.round(d.getYValue(cell.getSeriesIndex(), cell.getItem()));
                select(selection().withLayerHead(layer, head));
            }
        });
        VBox box = new VBox(6, new Label("OVERVIEW — metric"), metric, heatmap, selected);
        selected.getStyleClass().add("section-title");
        for (HeadMetric m : HeadMetric.values()) {
            Label l = readout(m.formula());
            readouts.put(m, l);
            box.getChildren().add(l);
        }
        box.getChildren().add(new Label("Click a cell to open that head everywhere;\narrow keys move the selection."));
        setCenter(box);
    }

    public HeadMetric metric() {
        return metric.getValue();
    }

    @Override
    public ChartPane mainChart() {
        return heatmap;
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
        double[] range = HeatmapChart.range(grid);
        JFreeChart chart = HeatmapChart.create(m.label() + ", step " + (data.current().step() + 1), "head", "layer",
                grid, ColorMaps.viridis(range[0], range[1] > range[0] ? range[1] : range[0] + 1e-9), m.label());
        if (Double.isNaN(Arrays.stream(grid).flatMapToDouble(Arrays::stream).filter(Double::isFinite).findAny()
                .orElse(Double.NaN))) {
            chart.addSubtitle(dev.qvit.viz.chart.Charts.subtitle(data.teacher() == null && !model.quantized()
                    ? "needs a quantized student" : "not computed yet"));
        }
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.addDomainMarker(new ValueMarker(sel.head(), java.awt.Color.RED, new java.awt.BasicStroke(2f)));
        plot.addRangeMarker(new ValueMarker(sel.layer(), java.awt.Color.RED, new java.awt.BasicStroke(2f)));
        heatmap.setChart(chart);
        selected.setText("layer " + sel.layer() + ", head " + sel.head());
        for (HeadMetric each : HeadMetric.values()) {
            double v = each.of(data.teacher(), model, dgd, sel.layer(), sel.head());
            readouts.get(each).setText(each.label() + ": " + (Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v)));
        }
    }
}
