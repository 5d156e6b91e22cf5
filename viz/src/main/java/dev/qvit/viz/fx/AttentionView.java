package dev.qvit.viz.fx;

import dev.qvit.records.LayerGeometry;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeImages;
import dev.qvit.viz.chart.AttentionOverlayChart;
import dev.qvit.viz.chart.ColorMaps;
import dev.qvit.viz.chart.HeatmapChart;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import org.jfree.chart.JFreeChart;

/**
 * The attention of the selected layer and head on one probe image: the cls token's attention over the image (for a
 * Swin block, without a cls token: the mean attention each patch receives in its window) and the full N x N
 * attention matrix (a Swin block's: of the window picked), teacher | student | difference, with shared colour
 * scales.
 */
public final class AttentionView extends WorkbenchView {
    private final HeadPicker picker = new HeadPicker((l, h) -> select(selection().withLayerHead(l, h)));
    private final ComboBox<Integer> image = new ComboBox<>();
    private final ComboBox<Integer> window = new ComboBox<>();
    private final HBox windowBox = new HBox(6, fixed("window"), window);
    private final ChartPane[] overlays = {chartPane(), chartPane(), chartPane()};
    private final ChartPane[] matrices = {chartPane(), chartPane(), chartPane()};
    private final Label entropy = readout(dev.qvit.records.HeadMetric.ATTENTION_ENTROPY.formula());
    private boolean updating;

    public AttentionView() {
        image.setId("imagePicker");
        String[] who = {"Teacher", "Student", "Difference"};
        for (int c = 0; c < 3; c++) {
            overlays[c].setId("cls" + who[c]);
            matrices[c].setId("matrix" + who[c]);
        }
        image.setOnAction(e -> {
            if (!updating && image.getValue() != null) {
                select(selection().withImage(image.getValue()));
            }
        });
        image.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox imageBox = new HBox(6, fixed("test image"), image);
        imageBox.setAlignment(Pos.CENTER_LEFT);
        window.setId("windowPicker");
        window.setOnAction(e -> {
            if (!updating && window.getValue() != null && data() != null) {
                draw(data(), selection());
            }
        });
        windowBox.setAlignment(Pos.CENTER_LEFT);
        setTop(toolbar(picker, imageBox, windowBox, entropy));
        GridPane grid = ChartGrid.of(3, 50, 50);
        for (int c = 0; c < 3; c++) {
            grid.add(overlays[c], c, 0);
            grid.add(matrices[c], c, 1);
        }
        setCenter(grid);
    }

    @Override
    public ChartPane mainChart() {
        return overlays[1];
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        ModelSnapshot model = data.model();
        if (model == null || data.images() == null) {
            for (int i = 0; i < 3; i++) {
                overlays[i].setChart(null);
                matrices[i].setChart(null);
            }
            return;
        }
        picker.set(model.headsPerLayer(), sel.layer(), sel.head());
        fillImages(data.images(), model.attentionImages(), sel.image());
        int img = Math.min(sel.image(), model.attentionImages() - 1);
        LayerGeometry geometry = model.geometry(sel.layer());
        int w = showWindows(geometry.windows());
        int n = geometry.tokens();
        int grid = geometry.gridSide();
        // a ViT's cls token looks at the image; a Swin window has none: the mean attention each patch receives
        String overImage = geometry.hasClassToken() ? "cls attention" : "attention received";
        ProbeImages images = data.images();
        double[][] studentCls = HeatmapChart.matrix(model.attentionOverImage(sel.layer(), img, sel.head()), grid, grid);
        double[][] studentMap = HeatmapChart.matrix(model.attentionMap(sel.layer(), img, w, sel.head()), n, n);
        ModelSnapshot teacher = data.teacher() != null && data.teacher().geometry().equals(model.geometry())
                ? data.teacher() : null;
        double[][] teacherCls = teacher == null ? null
                : HeatmapChart.matrix(teacher.attentionOverImage(sel.layer(), img, sel.head()), grid, grid);
        double[][] teacherMap = teacher == null ? null
                : HeatmapChart.matrix(teacher.attentionMap(sel.layer(), img, w, sel.head()), n, n);
        double clsTop = Math.max(HeatmapChart.range(studentCls)[1], teacherCls == null ? 0 : HeatmapChart.range(teacherCls)[1]);
        double mapTop = Math.max(HeatmapChart.range(studentMap)[1], teacherMap == null ? 0 : HeatmapChart.range(teacherMap)[1]);
        String where = String.format(Locale.ROOT, "layer %d, head %d, %s%s", sel.layer(), sel.head(),
                data.images().caption(img), geometry.windows() > 1 ? ", window " + w : "");
        String who = data.modelName();
        overlays[1].setChart(withSubtitle(overlay(overImage + ", " + who, images, img, studentCls, clsTop), where));
        matrices[1].setChart(matrix("attention matrix, " + who, studentMap, mapTop));
        if (teacher == null) {
            overlays[0].setChart(null);
            matrices[0].setChart(null);
            overlays[2].setChart(null);
            matrices[2].setChart(null);
        } else {
            overlays[0].setChart(withSubtitle(overlay(overImage + ", teacher", images, img, teacherCls, clsTop),
                    where));
            matrices[0].setChart(matrix("attention matrix, teacher", teacherMap, mapTop));
            double[][] clsDiff = difference(studentCls, teacherCls);
            double[][] mapDiff = difference(studentMap, teacherMap);
            overlays[2].setChart(HeatmapChart.create(overImage + ", difference", "patch column", "patch row",
                    clsDiff, ColorMaps.diverging(HeatmapChart.extent(clsDiff)), "Δ weight, student − teacher"));
            matrices[2].setChart(HeatmapChart.create("attention, difference", "key token", "query token", mapDiff,
                    ColorMaps.diverging(HeatmapChart.extent(mapDiff)), "Δ weight, student − teacher", Double.NaN,
                    TOKEN_TIPS));
        }
        entropy.setText(String.format(Locale.ROOT, "attention entropy: %s %.3f bits%s", who,
                model.attentionEntropy(sel.layer(), sel.head()), teacher == null ? ""
                        : String.format(Locale.ROOT, ", teacher %.3f bits", teacher.attentionEntropy(sel.layer(), sel.head()))));
    }

    /** Shows the window picker for a block of several windows; the window picked (0 for one). */
    private int showWindows(int windows) {
        windowBox.setVisible(windows > 1);
        windowBox.setManaged(windows > 1);
        updating = true;
        try {
            if (window.getItems().size() != windows) {
                window.getItems().setAll(java.util.stream.IntStream.range(0, windows).boxed().toList());
                window.setValue(0);
            }
            if (window.getValue() == null) {
                window.setValue(0);
            }
        } finally {
            updating = false;
        }
        return window.getValue();
    }

    /**
     * The layer, head and image under the title, so that the title stays on one line; left out in presentation mode,
     * where the pickers right above the charts say it in large type and the charts need the room.
     */
    private static JFreeChart withSubtitle(JFreeChart chart, String where) {
        if (dev.qvit.viz.chart.Charts.fontScale() == 1.0) {
            chart.addSubtitle(0, dev.qvit.viz.chart.Charts.subtitle(where));
        }
        return chart;
    }

    private static JFreeChart matrix(String title, double[][] values, double top) {
        return HeatmapChart.create(title, "key token", "query token", values, ColorMaps.viridis(0, top), "weight",
                Double.NaN, TOKEN_TIPS);
    }

    /** "query token 0 (cls) → key token 12: 0.034" (token 0 is the cls token, 1..49 the patches). */
    private static final org.jfree.chart.labels.XYToolTipGenerator TOKEN_TIPS = (dataset, series, item) ->
            String.format(Locale.ROOT, "query token %s → key token %s: %.4f", token(dataset.getYValue(series, item)),
                    token(dataset.getXValue(series, item)), HeatmapChart.cellValue(dataset, series, item));

    private static String token(double t) {
        long i = Math.round(t);
        return i == 0 ? "0 (cls)" : String.valueOf(i);
    }

    private void fillImages(ProbeImages images, int count, int selected) {
        updating = true;
        try {
            if (image.getItems().size() != count) {
                image.getItems().clear();
                for (int i = 0; i < count; i++) {
                    image.getItems().add(i);
                }
                image.setConverter(new javafx.util.StringConverter<>() {
                    @Override
                    public String toString(Integer i) {
                        return i == null ? "" : images.caption(i);
                    }

                    @Override
                    public Integer fromString(String s) {
                        return null;
                    }
                });
            }
            image.setValue(Math.min(selected, count - 1));
        } finally {
            updating = false;
        }
    }

    /** The attention over the image: an RGB image in colour, a grey one as grey cells. */
    private static JFreeChart overlay(String title, ProbeImages images, int img, double[][] attention, double top) {
        return images.channels() == 3 ? AttentionOverlayChart.create(title, picture(images, img), attention, top)
                : AttentionOverlayChart.create(title, pixels(images, img), attention, top);
    }

    static java.awt.image.BufferedImage picture(ProbeImages images, int img) {
        var out = new java.awt.image.BufferedImage(images.cols(), images.rows(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < images.rows(); r++) {
            for (int c = 0; c < images.cols(); c++) {
                out.setRGB(c, r, images.rgb(img, r, c));
            }
        }
        return out;
    }

    static double[][] pixels(ProbeImages images, int img) {
        double[][] out = new double[images.rows()][images.cols()];
        for (int r = 0; r < images.rows(); r++) {
            for (int c = 0; c < images.cols(); c++) {
                out[r][c] = images.pixel(img, r, c);
            }
        }
        return out;
    }

    static double[][] difference(double[][] a, double[][] b) {
        double[][] d = new double[a.length][a[0].length];
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[r].length; c++) {
                d[r][c] = a[r][c] - b[r][c];
            }
        }
        return d;
    }
}
