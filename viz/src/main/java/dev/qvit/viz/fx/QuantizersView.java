package dev.qvit.viz.fx;

import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.QuantizerSnapshot;
import dev.qvit.records.CodeUsage;
import dev.qvit.viz.chart.Charts;
import dev.qvit.viz.chart.CodeUsageChart;
import dev.qvit.viz.chart.CurveChart;
import dev.qvit.viz.chart.CurveChart.Line;
import dev.qvit.viz.chart.Palette;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import org.jfree.chart.JFreeChart;

/**
 * The LSQ quantizers of the selected layer: a table of their step sizes, clip fractions and code-usage entropies on
 * the probe batch (columns as wide as their texts), and for the chosen one its step size and clip fraction over
 * training and its code histogram (of the selected head for activation quantizers), side by side.
 */
public final class QuantizersView extends WorkbenchView {
    /** The clipped-share axis spans at least one percentage point (an all-zero curve reads 0 %, not ±4E-9 %). */
    static final double CLIPPED_SPAN = 1;
    private final HeadPicker picker = new HeadPicker((l, h) -> select(selection().withLayerHead(l, h)));
    private final TableView<QuantizerSnapshot> table = new TableView<>();
    private final ChartPane steps = chartPane();
    private final ChartPane clip = chartPane();
    private final ChartPane usage = chartPane();
    private final Label note = new Label();
    private String chosen;
    private javafx.scene.text.Font fittedFont;
    private boolean updating;

    public QuantizersView() {
        table.setId("quantizerTable");
        steps.setId("stepChart");
        clip.setId("clipChart");
        usage.setId("codeUsageChart");
        table.getColumns().add(column("quantizer", q -> shortName(q.name())));
        table.getColumns().add(column("bits", q -> q.bits() + (q.signed() ? " signed" : " unsigned")));
        table.getColumns().add(column("channels", q -> String.valueOf(q.steps().length)));
        table.getColumns().add(column("mean step", q -> String.format(Locale.ROOT, "%.4g", mean(q.steps()))));
        table.getColumns().add(column("clipped", q -> String.format(Locale.ROOT, "%.2f %%", 100 * q.usage().clipFraction())));
        table.getColumns().add(column("entropy", q -> String.format(Locale.ROOT, "%.3f of %d",
                q.usage().entropyBits(), q.bits())));
        table.getColumns().add(column("codes used", q -> q.usage().usedCodes() + " / " + (1 << q.bits())));
        // columns at least as wide as their texts (never "mean ste…"), the last one takes the rest
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (!updating && b != null) {
                chosen = b.name();
                show(data(), selection());
            }
        });
        note.setWrapText(true);
        HBox bar = new HBox(12, picker, note);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new javafx.geometry.Insets(0, 0, 4, 0));
        picker.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        setTop(bar);
        GridPane grid = ChartGrid.of(3, 32, 68);
        grid.add(table, 0, 0, 3, 1);
        grid.add(steps, 0, 1);
        grid.add(clip, 1, 1);
        grid.add(usage, 2, 1);
        setCenter(grid);
    }

    private static TableColumn<QuantizerSnapshot, String> column(String title,
                                                                java.util.function.Function<QuantizerSnapshot, String> f) {
        TableColumn<QuantizerSnapshot, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(f.apply(cell.getValue())));
        c.setUserData(f);
        return c;
    }

    /** Fits the columns again when the font has changed (presentation mode): CSS is applied before each layout. */
    @Override
    protected void layoutChildren() {
        if (!note.getFont().equals(fittedFont)) {
            fitColumns();
        }
        super.layoutChildren();
    }

    /** Each column at least as wide as its header and its widest cell in the view's current font: none is cut. */
    @SuppressWarnings("unchecked")
    private void fitColumns() {
        javafx.scene.text.Font font = note.getFont();
        fittedFont = font;
        for (TableColumn<QuantizerSnapshot, ?> c : table.getColumns()) {
            var text = (java.util.function.Function<QuantizerSnapshot, String>) c.getUserData();
            double width = 1.15 * textWidth(c.getText(), font);                // headers are bold
            for (QuantizerSnapshot q : table.getItems()) {
                width = Math.max(width, textWidth(text.apply(q), font));
            }
            c.setMinWidth(Math.ceil(width + 1.6 * font.getSize()));          // the cells' padding, in em
            c.setPrefWidth(c.getMinWidth());
        }
    }

    private static double textWidth(String s, javafx.scene.text.Font font) {
        javafx.scene.text.Text t = new javafx.scene.text.Text(s);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    @Override
    public ChartPane mainChart() {
        return steps;
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        ModelSnapshot model = data.model();
        if (model == null || !model.quantized()) {
            table.getItems().clear();
            note.setText(model == null ? "no probe yet" : "a full-precision model has no quantizers: quantize a student");
            steps.setChart(null);
            clip.setChart(null);
            usage.setChart(null);
            return;
        }
        picker.set(model.headsPerLayer(), sel.layer(), sel.head());
        String prefix = model.geometry(sel.layer()).block() + ".";
        List<QuantizerSnapshot> layer = model.quantizers().stream().filter(q -> q.name().startsWith(prefix)).toList();
        if (chosen == null || layer.stream().noneMatch(q -> q.name().equals(chosen))) {
            chosen = model.geometry(sel.layer()).quantizerName(sel.tensor());
        }
        updating = true;
        try {
            table.getItems().setAll(layer);
            fitColumns();
            layer.stream().filter(q -> q.name().equals(chosen)).findFirst()
                    .ifPresent(q -> table.getSelectionModel().select(q));
        } finally {
            updating = false;
        }
        note.setText("Steps per channel: weights per output channel, q/k/v/attention per head; code entropy in bits, "
                + "at most b. Numbers are on the probe batch at step " + (data.current().step() + 1) + ".");
        QuantizerSnapshot q = model.quantizer(chosen).orElse(layer.get(0));
        boolean perHead = !q.perChannel().isEmpty();
        double marker = data.current().step() + 1;
        steps.setChart(CurveChart.create("Step size s, " + shortName(q.name()), "step",
                "step size s", history(data.history(), q.name(), perHead, false), false, List.of(), marker));
        clip.setChart(CurveChart.create("Clipped share, " + shortName(q.name()), "step", "clipped (%)",
                history(data.history(), q.name(), perHead, true), false, List.of(), marker, CLIPPED_SPAN));
        int head = Math.min(sel.head(), Math.max(0, q.perChannel().size() - 1));
        CodeUsage u = perHead ? q.perChannel().get(head) : q.usage();
        JFreeChart codes = CodeUsageChart.create("Code usage, " + shortName(q.name()) + (perHead ? ", head " + head
                : " (all channels)"), u.lowestCode(), u.counts(), Palette.STUDENT);
        codes.addSubtitle(Charts.subtitle(String.format(Locale.ROOT, "entropy %.3f of %d bits, %d of %d codes used",
                u.entropyBits(), q.bits(), u.usedCodes(), 1 << q.bits())));
        usage.setChart(codes);
    }

    /** Step size (or clipped share) of one quantizer at every kept snapshot: per head, or the channel mean. */
    static List<Line> history(List<ProbeSnapshot> history, String name, boolean perHead, boolean clipped) {
        List<double[]> values = new ArrayList<>();
        List<Double> x = new ArrayList<>();
        for (ProbeSnapshot s : history) {
            s.model().quantizer(name).ifPresent(q -> {
                x.add((double) s.step() + 1);
                if (clipped) {
                    values.add(perHead ? q.perChannel().stream().mapToDouble(c -> 100 * c.clipFraction()).toArray()
                            : new double[]{100 * q.usage().clipFraction()});
                } else {
                    values.add(perHead ? q.steps() : new double[]{mean(q.steps())});
                }
            });
        }
        List<Line> lines = new ArrayList<>();
        int channels = values.isEmpty() ? 0 : values.get(0).length;
        double[] xs = x.stream().mapToDouble(Double::doubleValue).toArray();
        for (int c = 0; c < channels; c++) {
            double[] ys = new double[values.size()];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = values.get(i)[c];
            }
            lines.add(new Line(perHead ? "head " + c : "mean over channels", xs, ys));
        }
        return lines;
    }

    /** "attn.qkv.input" for "blocks.2.attn.qkv.input_quant": the parameter name inside the block, without "_quant". */
    static String shortName(String name) {
        return name.replaceFirst("^blocks\\.\\d+\\.", "").replaceFirst("_quant$", "");
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}
