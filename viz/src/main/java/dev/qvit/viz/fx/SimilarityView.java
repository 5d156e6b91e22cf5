package dev.qvit.viz.fx;

import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.Tensor;
import dev.qvit.viz.chart.ColorMaps;
import dev.qvit.viz.chart.HeatmapChart;
import java.util.Locale;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import org.jfree.chart.JFreeChart;

/**
 * What DGD matches: the token similarity matrices G = x x^T / ||x x^T||_F of the selected layer and head on the
 * first probe image, teacher | student | difference, with one colour scale for teacher and student. The readout is
 * ||G_T - G_S||_F of this image, the term DGD averages over the batch.
 */
public final class SimilarityView extends WorkbenchView {
    private final HeadPicker picker = new HeadPicker((l, h) -> select(selection().withLayerHead(l, h)));
    private final ToggleButton query = new ToggleButton("G of q");
    private final ToggleButton key = new ToggleButton("G of k");
    private final ChartPane[] charts = {chartPane(), chartPane(), chartPane()};
    private final Label distance = readout("||G_T − G_S||_F on this image: the Frobenius distance DGD takes per "
            + "image and head (and averages over the batch); 0 when the student's token similarities are the "
            + "teacher's, at most 2.");
    private boolean updating;

    public SimilarityView() {
        ToggleGroup group = new ToggleGroup();
        query.setToggleGroup(group);
        key.setToggleGroup(group);
        query.setId("similarityQuery");
        key.setId("similarityKey");
        distance.setId("similarityDistance");
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (!updating && b != null) {
                select(selection().withTensor(b == query ? Tensor.QUERY : Tensor.KEY));
            }
        });
        String[] who = {"Teacher", "Student", "Difference"};
        GridPane grid = ChartGrid.of(3, 100);
        for (int c = 0; c < 3; c++) {
            charts[c].setId("similarity" + who[c]);
            grid.add(charts[c], c, 0);
        }
        setTop(toolbar(picker, new HBox(4, query, key), distance));
        setCenter(grid);
    }

    @Override
    public ChartPane mainChart() {
        return charts[1];
    }

    @Override
    protected void draw(ViewData data, Selection sel) {
        ModelSnapshot student = data.model();
        ModelSnapshot teacher = data.teacher();
        updating = true;
        (sel.tensor() == Tensor.QUERY ? query : key).setSelected(true);
        updating = false;
        if (student == null || teacher == null || !student.hasSimilarity() || !teacher.hasSimilarity()
                || !student.geometry().equals(teacher.geometry())) {
            for (ChartPane c : charts) {
                c.setChart(null);
                c.setPlaceholder(student == null ? "no probe yet"
                        : "this run's snapshots have no similarity matrices (recorded before they were kept)");
            }
            distance.setText("–");
            return;
        }
        picker.set(student.headsPerLayer(), sel.layer(), sel.head());
        int n = student.tokens(sel.layer());
        double[][] gt = HeatmapChart.matrix(teacher.similarity(sel.layer(), sel.tensor(), sel.head()), n, n);
        double[][] gs = HeatmapChart.matrix(student.similarity(sel.layer(), sel.tensor(), sel.head()), n, n);
        double[][] diff = AttentionView.difference(gs, gt);
        double extent = Math.max(HeatmapChart.extent(gt), HeatmapChart.extent(gs));
        String g = "G of " + sel.tensor().symbol();
        String image = data.images() == null ? "first probe image" : data.images().caption(0);
        charts[0].setChart(matrix(g + ", teacher", gt, ColorMaps.diverging(extent), "similarity"));
        charts[1].setChart(matrix(g + ", " + data.modelName(), gs, ColorMaps.diverging(extent), "similarity"));
        charts[2].setChart(matrix(g + ", difference", diff, ColorMaps.diverging(HeatmapChart.extent(diff)),
                "Δ, student − teacher"));
        distance.setText(String.format(Locale.ROOT, "layer %d, head %d, %s: ||G_T − G_S||_F = %.4f", sel.layer(),
                sel.head(), image, frobenius(diff)));
    }

    private static JFreeChart matrix(String title, double[][] values, org.jfree.chart.renderer.PaintScale scale,
                                     String legend) {
        return HeatmapChart.create(title, "token j", "token i", values, scale, legend, Double.NaN, null);
    }

    /** ||m||_F. */
    public static double frobenius(double[][] m) {
        double s = 0;
        for (double[] row : m) {
            for (double v : row) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }
}
