package dev.qvit.app.fx;

import dev.qvit.model.experiment.AblationStatistics;
import dev.qvit.model.experiment.AblationTable;
import dev.qvit.records.AblationRow;
import dev.qvit.records.PairedDifference;
import dev.qvit.viz.chart.AblationCharts;
import dev.qvit.viz.fx.ChartPane;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The result at this scale: the shipped grid's table with its paired intervals, its bar chart, and in words what the
 * intervals say about the paper's claims, each sentence computed from the rows (nothing here is typed in by hand).
 */
final class ResultStep implements DemoStep {
    private final ShippedGrid grid;
    private final double teacherAccuracy;
    final List<AblationRow> rows;
    final TableView<AblationRow> table = AblationRowsTable.create();
    final ChartPane bars = new ChartPane();
    final VBox verdicts = new VBox(4);
    private final VBox content;

    ResultStep(ShippedGrid grid, double teacherAccuracy, dev.qvit.model.vit.ModelConfig model) {
        this.grid = grid;
        this.teacherAccuracy = teacherAccuracy;
        this.rows = AblationStatistics.rows(grid.cells(), teacherAccuracy, model, 8);
        table.setId("demoResults");
        bars.setId("demoBars");
        verdicts.setId("demoVerdicts");
        table.getItems().setAll(rows);
        table.setPrefHeight(250);
        table.setMinHeight(150);
        VBox.setVgrow(table, Priority.SOMETIMES);
        for (String v : verdicts(rows, teacherAccuracy)) {
            Label l = new Label(v);
            l.setWrapText(true);
            l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);      // wrap rather than cut to "…"
            l.getStyleClass().add("demo-paragraph");
            verdicts.getChildren().add(l);
        }
        VBox.setVgrow(bars, Priority.ALWAYS);
        content = new VBox(8, table, verdicts, bars);
        content.setPadding(new Insets(8));
    }

    @Override
    public String title() {
        return "The result at this scale, honestly";
    }

    @Override
    public String text() {
        return """
                The paper reports, on ImageNet with DeiT and Swin, that 4-bit Q-ViT models match full precision and \
                that IRM and DGD make 2-bit models lose far less than a plain LSQ baseline.
                Here is the same question for the tiny ViT on Fashion-MNIST, each cell a student of the teacher \
                trained by ./qvit ablate:
                %s.
                Each variant is compared with the baseline of the same bit width, seed by seed:
                    Δ = mean(variant − baseline)
                    CI = Δ ± t(0.975, n−1)·sd/√n
                An interval that contains 0 means: no effect this grid can measure. The sentences beside the table \
                are computed from it.""".formatted(grid.recipe());
    }

    @Override
    public Node content() {
        return content;
    }

    @Override
    public void shown() {
        bars.setChart(AblationCharts.accuracyBars(rows, teacherAccuracy));
        ColumnFit.fit(table);
    }

    /** What the rows say, one sentence per bit width against FP and one per variant against its baseline. */
    static List<String> verdicts(List<AblationRow> rows, double teacherAccuracy) {
        List<String> out = new ArrayList<>();
        List<Integer> bits = rows.stream().map(AblationRow::bits).distinct().sorted(Comparator.reverseOrder()).toList();
        for (int b : bits) {
            List<AblationRow> here = rows.stream().filter(r -> r.bits() == b).toList();
            AblationRow best = here.stream().max(Comparator.comparingDouble(AblationRow::accuracy)).orElseThrow();
            out.add(String.format(Locale.ROOT, "W%dA%d: the best variant, %s (%s %%), is %.2f points below the FP "
                            + "teacher (%.2f %%).", b, b, best.variant(), AblationRowsTable.accuracy(best),
                    100 * (teacherAccuracy - best.accuracy()), 100 * teacherAccuracy));
            for (AblationRow r : here) {
                PairedDifference d = r.vsBaseline();
                if (d != null) {
                    out.add("  %s vs baseline: %s → %s.".formatted(r.label(), AblationTable.difference(d)
                            .replace("**", ""), meaning(d)));
                }
            }
        }
        return out;
    }

    static String meaning(PairedDifference d) {
        if (d.n() < 2) {
            return "one common seed, no interval yet";
        }
        if (!d.excludesZero()) {
            return "no measurable difference (the interval contains 0)";
        }
        return d.mean() > 0 ? "better than the baseline (the interval lies above 0)"
                : "worse than the baseline (the interval lies below 0)";
    }
}
