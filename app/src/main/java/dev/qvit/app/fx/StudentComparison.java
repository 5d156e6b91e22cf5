package dev.qvit.app.fx;

import dev.qvit.records.HeadMetric;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.viz.fx.ViewData;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;

/**
 * The numbers that moved between two of the demo's students, per block (mean over its heads), from their latest
 * probes: "before → after" for each metric, and their test accuracies once their epochs end. FX thread only.
 */
final class StudentComparison extends GridPane {
    private final String before;
    private final String after;
    private final Supplier<ViewData> beforeData;
    private final Supplier<ViewData> afterData;
    private final List<HeadMetric> metrics;
    private final Label accuracy = new Label();

    StudentComparison(String before, Supplier<ViewData> beforeData, String after, Supplier<ViewData> afterData,
                      List<HeadMetric> metrics) {
        this.before = before;
        this.after = after;
        this.beforeData = beforeData;
        this.afterData = afterData;
        this.metrics = List.copyOf(metrics);
        setId("demoComparison");
        setHgap(18);
        setVgap(2);
        setPadding(new Insets(4, 0, 0, 0));
        getStyleClass().add("demo-comparison");
    }

    /** Redraws from both students' latest probes. */
    void update() {
        getChildren().clear();
        add(header("%s → %s, mean over the heads of each block".formatted(before, after)), 0, 0,
                metrics.size() + 1, 1);
        add(header("block"), 0, 1);
        for (int m = 0; m < metrics.size(); m++) {
            add(header(metrics.get(m).label()), m + 1, 1);
        }
        ViewData a = beforeData.get();
        ViewData b = afterData.get();
        int layers = a.model() != null ? a.model().layers() : b.model() != null ? b.model().layers() : 0;
        for (int l = 0; l < layers; l++) {
            add(new Label(String.valueOf(l)), 0, l + 2);
            for (int m = 0; m < metrics.size(); m++) {
                Label cell = new Label(cell(metrics.get(m), a, b, l));
                cell.setId("comparison-" + l + "-" + metrics.get(m).name());
                add(cell, m + 1, l + 2);
            }
        }
        accuracy.setText("test accuracy after the epoch: %s %s, %s %s".formatted(before, percent(a), after,
                percent(b)));
        add(accuracy, 0, layers + 2, metrics.size() + 1, 1);
    }

    /** "1.18 → 1.07"; "…" where a student has no probe yet. */
    static String cell(HeadMetric metric, ViewData a, ViewData b, int layer) {
        return value(metric, a, layer) + " → " + value(metric, b, layer);
    }

    private static String value(HeadMetric metric, ViewData d, int layer) {
        ModelSnapshot s = d.model();
        if (s == null || layer >= s.layers()) {
            return "…";
        }
        double sum = 0;
        int n = 0;
        for (int h = 0; h < s.heads(layer); h++) {
            double v = metric.of(d.teacher(), s, d.distillation(), layer, h);
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? "–" : String.format(Locale.ROOT, "%.3f", sum / n);
    }

    private static String percent(ViewData d) {
        return d.epochs().isEmpty() ? "(not finished)"
                : String.format(Locale.ROOT, "%.2f %%", 100 * d.epochs().get(d.epochs().size() - 1).testAccuracy());
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }
}
