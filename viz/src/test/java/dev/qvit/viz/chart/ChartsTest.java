package dev.qvit.viz.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.Histogram;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    private static HeadDistribution normal(long seed, double std) {
        Random r = new Random(seed);
        float[] v = new float[5000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return HeadDistribution.of(v, 40);
    }

    @Test
    void imagesAndAttentionMatricesKeepSquareCellsInAWideOrTallPane() {
        double[][] pixels = new double[28][28];
        double[][] attention = new double[7][7];
        JFreeChart overlay = AttentionOverlayChart.create("cls attention", pixels, attention, 1);
        JFreeChart matrix = HeatmapChart.create("matrix", "key", "query", new double[50][50], ColorMaps.viridis(0, 1), "w");
        for (JFreeChart chart : List.of(overlay, matrix)) {
            for (int[] size : new int[][]{{600, 300}, {300, 600}}) {
                var info = new org.jfree.chart.ChartRenderingInfo();
                java.awt.image.BufferedImage image = Charts.image(chart, size[0], size[1], info);
                var data = info.getPlotInfo().getDataArea();
                assertThat(image.getWidth()).isEqualTo(size[0]);
                assertThat(data.getWidth()).as("data area of %s in %dx%d", chart.getTitle().getText(), size[0], size[1])
                        .isCloseTo(data.getHeight(), within(2.0));
            }
        }
        // a line chart fills whatever it is given
        JFreeChart curve = Charts.xy("curve", new XYPlot(null, Charts.axis("x"), Charts.axis("y"), null), false);
        assertThat(Charts.area(curve, 600, 300)).isEqualTo(new java.awt.geom.Rectangle2D.Double(0, 0, 600, 300));
    }

    @Test
    void anRgbImageIsDrawnUpright() {
        // red top-left quadrant, blue elsewhere; no attention (alpha 0) over it
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(224, 224,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                picture.setRGB(x, y, x < 112 && y < 112 ? 0xff0000 : 0x0000ff);
            }
        }
        JFreeChart chart = AttentionOverlayChart.create("cls attention", picture, new double[14][14], 1);
        var info = new org.jfree.chart.ChartRenderingInfo();
        java.awt.image.BufferedImage out = Charts.image(chart, 500, 500, info);
        var area = info.getPlotInfo().getDataArea();
        java.util.function.BiFunction<Double, Double, Integer> at = (fx, fy) -> out.getRGB(
                (int) (area.getX() + area.getWidth() * fx), (int) (area.getY() + area.getHeight() * fy));
        int topLeft = at.apply(0.25, 0.25);
        int bottomLeft = at.apply(0.25, 0.75);
        int topRight = at.apply(0.75, 0.25);
        assertThat(topLeft & 0xffffff).as("top left").isEqualTo(0xff0000);
        assertThat(bottomLeft & 0xffffff).as("bottom left").isEqualTo(0x0000ff);
        assertThat(topRight & 0xffffff).as("top right").isEqualTo(0x0000ff);
    }

    @Test
    void aSingleSnapshotIsShownAtAReadableScale() {
        // one snapshot (an imported model): x from 0 to 2 around step 1, y a fifth of the value wide, not 1e-3
        JFreeChart chart = CurveChart.create("Step size s", "step", "step size s",
                List.of(new CurveChart.Line("head 0", new double[] {1}, new double[] {0.6892}),
                        new CurveChart.Line("head 1", new double[] {1}, new double[] {0.6894})), false, List.of(), 1);
        XYPlot plot = (XYPlot) chart.getPlot();
        assertThat(plot.getDomainAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 2));
        assertThat(plot.getRangeAxis().getRange().getLength()).isGreaterThan(0.2 * 0.6894);
        assertThat(plot.getRangeAxis().getRange().contains(0.6892)).isTrue();
        // a curve over steps keeps its automatic x range and zooms in to its own spread
        JFreeChart curve = CurveChart.create("loss", "step", "loss", List.of(line(4.2, 3.1, 2.2, 1.3)), false,
                List.of(), Double.NaN);
        assertThat(((XYPlot) curve.getPlot()).getDomainAxis().isAutoRange()).isTrue();
    }

    @Test
    void histogramDensityIntegratesToOne() {
        Histogram h = normal(1, 2).histogram();
        XYSeries s = DistributionChart.densitySteps("h", h);
        double area = 0;
        for (int i = 0; i < s.getItemCount() - 1; i++) {
            area += s.getY(i).doubleValue() * (s.getX(i + 1).doubleValue() - s.getX(i).doubleValue());
        }
        assertThat(area).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void quantizerLevelsFollowStepAndRoundedZeroPoint() {
        DistributionChart.Levels l = DistributionChart.Levels.of(0.5, 1.4, 0, 3, 0.1);
        // s * (c - round(z)) for c = 0..3, round(1.4) = 1
        assertThat(l.levels()).containsExactly(-0.5, 0.0, 0.5, 1.0);
        assertThat(l.clipLow()).isEqualTo(-0.5);
        assertThat(l.clipHigh()).isEqualTo(1.0);
    }

    @Test
    void exportsPngSvgAndCsvOfTheDrawnData(@TempDir Path dir) throws Exception {
        JFreeChart chart = DistributionChart.create("Queries q of layer 0, head 0", "q value",
                List.of(new DistributionChart.Curve("teacher q", normal(1, 1), Palette.TEACHER),
                        new DistributionChart.Curve("student q", normal(2, 0.5), Palette.STUDENT)),
                DistributionChart.Levels.of(0.4, 0, -2, 1, 0.05));
        ChartExport.png(chart, dir.resolve("c.png"), 640, 400);
        ChartExport.svg(chart, dir.resolve("c.svg"), 640, 400);
        ChartExport.csv(chart, dir.resolve("c.csv"));
        assertThat(javax.imageio.ImageIO.read(dir.resolve("c.png").toFile()).getWidth()).isEqualTo(640);
        assertThat(Files.readString(dir.resolve("c.svg"))).contains("<svg").contains("Queries q of layer 0");
        List<String> csv = Files.readAllLines(dir.resolve("c.csv"));
        XYPlot plot = (XYPlot) chart.getPlot();
        int points = 0;
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            for (int s = 0; s < plot.getDataset(d).getSeriesCount(); s++) {
                points += plot.getDataset(d).getItemCount(s);
            }
        }
        assertThat(csv.get(0)).isEqualTo("chart,dataset,series,x,y,z");
        assertThat(csv).hasSize(points + 1);
        assertThat(csv.get(1)).startsWith("\"Queries q of layer 0, head 0\",0,\"teacher q Gaussian fit\",");
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    /** The labelled ticks of a chart's axis as drawn at 600 x 300. */
    private static List<String> ticks(JFreeChart chart, boolean range) {
        var info = new org.jfree.chart.ChartRenderingInfo();
        Charts.image(chart, 600, 300, info);
        XYPlot plot = (XYPlot) chart.getPlot();
        var g = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_ARGB).createGraphics();
        var axis = range ? plot.getRangeAxis() : plot.getDomainAxis();
        List<?> ticks = axis.refreshTicks(g, new org.jfree.chart.axis.AxisState(), info.getPlotInfo().getDataArea(),
                range ? org.jfree.chart.ui.RectangleEdge.LEFT : org.jfree.chart.ui.RectangleEdge.BOTTOM);
        g.dispose();
        return ticks.stream().map(t -> ((org.jfree.chart.axis.ValueTick) t).getText())
                .filter(t -> t != null && !t.isEmpty()).toList();                // minor ticks have no label
    }

    private static CurveChart.Line line(double... y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return new CurveChart.Line("line", x, y);
    }

    @Test
    void logScaleTicksAreRoundNumbersWrittenOut() {
        // a loss from 1.3 to 4.2 (less than a decade) and a DGD loss from 4.8 to 6.8 (less than a factor 1.5)
        for (CurveChart.Line l : List.of(line(4.2, 3.1, 2.2, 1.3), line(6.8, 5.9, 5.1, 4.8), line(20, 2, 0.2, 0.01))) {
            JFreeChart chart = CurveChart.create("loss", "step", "loss", List.of(l), true, List.of(), Double.NaN);
            assertThat(ticks(chart, true)).as("ticks of %s", java.util.Arrays.toString(l.y()))
                    .hasSizeGreaterThanOrEqualTo(3).allMatch(t -> t.matches("\\d+(\\.\\d+)?"));
        }
        assertThat(ReadableLogAxis.tickValues(1.3, 4.2)).containsExactly(2.0, 3.0, 4.0);
        assertThat(ReadableLogAxis.tickValues(4.8, 6.8)).containsExactly(5.0, 5.5, 6.0, 6.5);
        assertThat(ReadableLogAxis.tickValues(0.005, 20)).containsExactly(0.01, 0.1, 1.0, 10.0);
    }

    @Test
    void theValueAxisReachesAReferenceLineAboveEveryPoint() {
        JFreeChart chart = CurveChart.create("accuracy", "step", "accuracy (%)", List.of(line(35, 42, 52)), false,
                List.of(new CurveChart.Reference("FP teacher 89.33 %", 89.33)), Double.NaN);
        var range = ((XYPlot) chart.getPlot()).getRangeAxis().getRange();
        assertThat(range.contains(89.33)).as("%s", range).isTrue();
        assertThat(range.contains(35)).isTrue();
    }

    @Test
    void anAllZeroLineGetsAUnitRangeFromZeroNotRoundingNoise() {
        JFreeChart chart = CurveChart.create("clipped", "step", "clipped (%)", List.of(line(0, 0, 0)), false,
                List.of(), Double.NaN);
        var range = ((XYPlot) chart.getPlot()).getRangeAxis().getRange();
        assertThat(range.getLowerBound()).isZero();
        assertThat(range.getUpperBound()).isGreaterThanOrEqualTo(1);
        assertThat(ticks(chart, true)).noneMatch(t -> t.contains("E")).anyMatch(t -> Double.parseDouble(t) == 0)
                .anyMatch(t -> Double.parseDouble(t) >= 1);
    }

    @Test
    void theCodeAxisOfAFourBitQuantizerShowsCodesMinus8To7Only() {
        JFreeChart chart = CodeUsageChart.create("codes", -8, new long[16], Palette.STUDENT);
        List<Integer> codes = ticks(chart, false).stream().map(Integer::parseInt).toList();
        assertThat(codes).isNotEmpty().allMatch(c -> c >= -8 && c <= 7);
        assertThat(codes).contains(-8).doesNotContain(-9, 8);
    }

    @Test
    void theDivergingMapsNoChangeIsTheBackgroundsToneInTheDarkTheme() {
        try {
            Charts.setDark(true);
            Color none = (Color) ColorMaps.diverging(2).getPaint(0);
            assertThat(none.getRed() + none.getGreen() + none.getBlue()).as("%s", none).isLessThan(3 * 60);
        } finally {
            Charts.setDark(false);
        }
        assertThat(ColorMaps.diverging(2).getPaint(0)).isEqualTo(new Color(0xF7F7F7));
    }

    @Test
    void heatmapCellsKeepRowAndColumnAndColourScalesClamp() {
        double[][] m = {{1, 2, 3}, {4, Double.NaN, 6}};
        double[][] xyz = HeatmapChart.cells(m);
        assertThat(xyz[0][5]).isEqualTo(2);      // column
        assertThat(xyz[1][5]).isEqualTo(1);      // row
        assertThat(xyz[2][5]).isEqualTo(6);
        assertThat(HeatmapChart.range(m)).containsExactly(1, 6);
        assertThat(ColorMaps.viridis(0, 1).getPaint(5)).isEqualTo(ColorMaps.viridis(0, 1).getPaint(1));
        assertThat(ColorMaps.diverging(2).getPaint(0)).isEqualTo(new Color(0xF7F7F7));
        assertThat(((Color) ColorMaps.viridisOverlay(0, 1, 200).getPaint(0)).getAlpha()).isZero();
    }
}
