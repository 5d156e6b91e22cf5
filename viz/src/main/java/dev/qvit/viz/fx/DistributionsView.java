package dev.qvit.viz.fx;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.QuantizerSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.records.CodeUsage;
import dev.qvit.viz.chart.DistributionChart;
import dev.qvit.viz.chart.DistributionChart.Curve;
import dev.qvit.viz.chart.DistributionChart.Levels;
import dev.qvit.viz.chart.Palette;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.jfree.chart.JFreeChart;

/**
 * Histograms of q or k of the selected layer and head with fitted Gaussians, teacher vs student, at the selected
 * stage (before IRM, after IRM = the quantizer's input with its levels and clipping range, after the quantizer);
 * "all heads" shows small multiples of the layer.
 */
public final class DistributionsView extends WorkbenchView {
    private final HeadPicker picker = new HeadPicker((l, h) -> select(selection().withLayerHead(l, h)));
    private final ToggleButton query = new ToggleButton("q (queries)");
    private final ToggleButton key = new ToggleButton("k (keys)");
    private final ComboBox<Stage> stage = new ComboBox<>();
    private final CheckBox allHeads = new CheckBox("all heads");
    private final ChartPane main = chartPane();
    private final GridPane grid = new GridPane();
    private final List<ChartPane> small = new ArrayList<>();
    private final Label teacherStats = readout("mean μ and population std σ of all the teacher's values of this "
            + "tensor and head over the probe batch (images × tokens × channels): the fitted Gaussian.");
    private final Label studentStats = readout("μ and σ of the student's values at the selected stage, same head "
            + "and probe batch.");
    private final Label ratio = readout(stdRatioFormula(Tensor.QUERY, Stage.QUANTIZED));
    private final Label entropy = readout(HeadMetric.QUERY_CODE_ENTROPY.formula());
    private final Label clipped = readout("share of this head's quantizer inputs (after IRM) that fall outside the "
            + "clipping range [s·(Qn − z), s·(Qp − z)] and are clamped to an end level.");
    private boolean updating;

    public DistributionsView() {
        ToggleGroup group = new ToggleGroup();
        query.setToggleGroup(group);
        key.setToggleGroup(group);
        query.setId("queryToggle");
        key.setId("keyToggle");
        stage.getItems().addAll(Stage.values());
        stage.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Stage s) {
                return s == null ? "" : stageName(s);
            }

            @Override
            public Stage fromString(String s) {
                return null;
            }
        });
        stage.setId("stagePicker");
        stage.setPromptText("full precision");
        main.setId("distributionChart");
        ratio.setId("stdRatio");
        allHeads.setId("allHeads");
        for (javafx.scene.control.Control c : new javafx.scene.control.Control[]{query, key, allHeads}) {
            c.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (!updating && b != null) {
                select(selection().withTensor(b == query ? Tensor.QUERY : Tensor.KEY));
            }
        });
        stage.setOnAction(e -> {
            if (!updating && stage.getValue() != null) {
                select(selection().withStage(stage.getValue()));
            }
        });
        allHeads.setOnAction(e -> show(data(), selection()));
        stage.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox stageBox = new HBox(6, WorkbenchView.fixed("stage"), stage);
        stageBox.setAlignment(Pos.CENTER_LEFT);
        FlowPane bar = toolbar(picker, new HBox(4, query, key), stageBox, allHeads);
        FlowPane readouts = new FlowPane(18, 4, teacherStats, studentStats, ratio, entropy, clipped);
        setTop(bar);
        setCenter(main);
        setBottom(readouts);
        grid.setHgap(4);
        grid.setVgap(4);
    }

    static String stageName(Stage s) {
        return switch (s) {
            case RAW -> "before IRM";
            case RECTIFIED -> "after IRM (quantizer input)";
            case QUANTIZED -> "after quantizer";
        };
    }

    @Override
    public ChartPane mainChart() {
        return main;
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        updating = true;
        try {
            (sel.tensor() == Tensor.QUERY ? query : key).setSelected(true);
            boolean quantized = data.model() != null && data.model().quantized();
            stage.setValue(quantized ? sel.stage() : null);     // a full-precision model has no stages to pick
            stage.setDisable(!quantized);
        } finally {
            updating = false;
        }
        ModelSnapshot model = data.model();
        if (model == null) {
            main.setChart(null);
            setCenter(main);
            return;
        }
        picker.set(model.headsPerLayer(), sel.layer(), sel.head());
        if (allHeads.isSelected()) {
            drawAllHeads(data, sel);
        } else {
            main.setChart(chart(data, sel, sel.head()));
            setCenter(main);
        }
        readouts(data, sel);
    }

    private void drawAllHeads(ViewData data, Selection sel) {
        int heads = data.model().heads(sel.layer());
        while (small.size() < heads) {
            small.add(chartPane());
        }
        grid.getChildren().clear();
        int cols = (int) Math.ceil(Math.sqrt(heads));
        for (int h = 0; h < heads; h++) {
            ChartPane pane = small.get(h);
            pane.setChart(chart(data, sel, h));
            GridPane.setHgrow(pane, Priority.ALWAYS);
            GridPane.setVgrow(pane, Priority.ALWAYS);
            grid.add(pane, h % cols, h / cols);
        }
        setCenter(grid);
    }

    JFreeChart chart(ViewData data, Selection sel, int head) {
        ModelSnapshot model = data.model();
        Tensor t = sel.tensor();
        List<Curve> curves = new ArrayList<>();
        if (data.teacher() != null) {
            curves.add(new Curve("teacher " + t.symbol(), data.teacher().distribution(sel.layer(), head, t, Stage.RAW),
                    Palette.TEACHER));
        }
        String who = data.modelName();
        boolean quantized = model.quantized();
        Stage shown = quantized ? sel.stage() : Stage.RAW;
        if (shown == Stage.RECTIFIED) {
            curves.add(new Curve(who + " " + t.symbol() + " before IRM",
                    model.distribution(sel.layer(), head, t, Stage.RAW), Palette.STUDENT));
            curves.add(new Curve(who + " " + t.symbol() + " after IRM",
                    model.distribution(sel.layer(), head, t, Stage.RECTIFIED), Palette.RECTIFIED));
        } else {
            curves.add(new Curve(who + " " + t.symbol() + (quantized ? " " + stageName(shown) : ""),
                    model.distribution(sel.layer(), head, t, shown), data.teacher() == null ? Palette.TEACHER
                    : Palette.STUDENT));
        }
        Levels levels = shown == Stage.RAW ? null : levels(model, sel.layer(), head, t).orElse(null);
        String title = String.format(Locale.ROOT, "%s of layer %d, head %d — %s, step %d", t == Tensor.QUERY
                ? "Queries q" : "Keys k", sel.layer(), head, quantized ? stageName(shown) : "full precision",
                data.current().step() + 1);
        return DistributionChart.create(title, t.symbol() + " value", curves, levels);
    }

    /**
     * σS/σT of the stage on screen: the std of the student's q (or k) at {@code stage} over the probe batch divided by
     * the std of the teacher's q (or k); NaN without a teacher. The overview's std ratio is this after the quantizer.
     */
    static double stdRatio(ModelSnapshot teacher, ModelSnapshot student, int layer, int head, Tensor t, Stage stage) {
        if (teacher == null || teacher == student) {
            return Double.NaN;
        }
        return student.distribution(layer, head, t, stage).fit().std()
                / teacher.distribution(layer, head, t, Stage.RAW).fit().std();
    }

    static String stdRatioFormula(Tensor t, Stage stage) {
        String what = switch (stage) {
            case RAW -> "the student's " + t.symbol() + " before IRM (the block's own projection)";
            case RECTIFIED -> "the student's " + t.symbol() + " after IRM (the quantizer's input)";
            case QUANTIZED -> "the student's quantized " + t.symbol() + " (after IRM and the quantizer)";
        };
        return "σS/σT at the stage shown (" + stageName(stage) + "): std of " + what + " over the probe batch divided "
                + "by the std of the teacher's " + t.symbol() + "; same layer and head. 1 = the teacher's spread.";
    }

    /** The head's quantizer levels and clipped share, if the model quantizes this tensor. */
    static Optional<Levels> levels(ModelSnapshot model, int layer, int head, Tensor t) {
        return model.quantizer(layer, t).filter(q -> head < q.steps().length).map(q -> {
            CodeUsage usage = q.perChannel().isEmpty() ? q.usage() : q.perChannel().get(head);
            double zero = q.zeroPoints().length > head ? q.zeroPoints()[head] : 0;
            return Levels.of(q.steps()[head], zero, usage.lowestCode(), usage.lowestCode() + usage.counts().length - 1,
                    usage.clipFraction());
        });
    }

    private void readouts(ViewData data, Selection sel) {
        ModelSnapshot model = data.model();
        Tensor t = sel.tensor();
        Stage shown = model.quantized() ? sel.stage() : Stage.RAW;
        HeadDistribution s = model.distribution(sel.layer(), sel.head(), t, shown);
        studentStats.setText(data.modelName() + " " + DistributionChart.describe(s.fit()));
        if (data.teacher() != null) {
            HeadDistribution tt = data.teacher().distribution(sel.layer(), sel.head(), t, Stage.RAW);
            teacherStats.setText("teacher " + DistributionChart.describe(tt.fit()));
        } else {
            teacherStats.setText("");                            // the model shown is the teacher
        }
        teacherStats.setManaged(!teacherStats.getText().isEmpty());
        HeadMetric entropyMetric = t == Tensor.QUERY ? HeadMetric.QUERY_CODE_ENTROPY : HeadMetric.KEY_CODE_ENTROPY;
        double r = stdRatio(data.teacher(), model, sel.layer(), sel.head(), t, shown);
        ratio.setText(Double.isNaN(r) ? "σS/σT –" : String.format(Locale.ROOT, "σS/σT (%s) %.3f", stageName(shown), r));
        ratio.getTooltip().setText(stdRatioFormula(t, shown));
        Optional<QuantizerSnapshot> q = model.quantizer(sel.layer(), t);
        entropy.setText(q.map(x -> String.format(Locale.ROOT, "code entropy %.3f of %d bits",
                entropyMetric.of(data.teacher(), model, null, sel.layer(), sel.head()), x.bits())).orElse("code entropy –"));
        entropy.getTooltip().setText(entropyMetric.formula());
        clipped.setText(levels(model, sel.layer(), sel.head(), t)
                .map(l -> String.format(Locale.ROOT, "clipped %.2f %%", 100 * l.clipShare())).orElse("clipped –"));
    }
}
