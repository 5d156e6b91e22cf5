package dev.qvit.viz.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.labels.XYToolTipGenerator;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYZDataset;

/**
 * A matrix as coloured cells (row 0 at the top) with a colour bar: attention matrices, differences, the
 * layer x head overview.
 */
public final class HeatmapChart {
    private HeatmapChart() {
    }

    /** The colour bar of a heatmap chart. */
    public static PaintScaleLegend colourBarOf(JFreeChart chart) {
        for (Object t : chart.getSubtitles()) {
            if (t instanceof PaintScaleLegend legend) {
                return legend;
            }
        }
        throw new IllegalArgumentException("the chart has no colour bar");
    }

    /**
     * @param values row-major [rows][cols]; NaN cells are grey
     */
    public static JFreeChart create(String title, String columnLabel, String rowLabel, double[][] values,
                                    PaintScale scale, String scaleLabel) {
        return create(title, columnLabel, rowLabel, values, scale, scaleLabel, Double.NaN, null);
    }

    /**
     * @param mark     a value to mark on the colour bar (the ideal of the number shown), or NaN
     * @param tooltips the text a hover over a cell shows, or null for none
     */
    public static JFreeChart create(String title, String columnLabel, String rowLabel, double[][] values,
                                    PaintScale scale, String scaleLabel, double mark, XYToolTipGenerator tooltips) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(title, cells(values));
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        renderer.setDefaultToolTipGenerator(tooltips);
        NumberAxis x = integerAxis(columnLabel, values.length == 0 ? 0 : values[0].length);
        NumberAxis y = integerAxis(rowLabel, values.length);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = Charts.xy(title, plot, false);
        Charts.keepSquareCells(chart);
        chart.addSubtitle(colourBar(scale, scaleLabel, mark));
        return chart;
    }

    /** The value of one cell of a heatmap's dataset (for tooltips). */
    public static double cellValue(XYDataset dataset, int series, int item) {
        return ((XYZDataset) dataset).getZValue(series, item);
    }

    /** Flattens a matrix to JFreeChart's {x[], y[], z[]} (x = column, y = row). */
    static double[][] cells(double[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        double[][] xyz = new double[3][rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                xyz[0][i] = c;
                xyz[1][i] = r;
                xyz[2][i] = values[r][c];
            }
        }
        return xyz;
    }

    static NumberAxis integerAxis(String label, int count) {
        NumberAxis axis = Charts.axis(label);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        axis.setRange(-0.5, Math.max(0.5, count - 0.5));
        axis.setLowerMargin(0);
        axis.setUpperMargin(0);
        return axis;
    }

    static PaintScaleLegend colourBar(PaintScale scale, String label) {
        return colourBar(scale, label, Double.NaN);
    }

    static PaintScaleLegend colourBar(PaintScale scale, String label, double mark) {
        NumberAxis axis = new ColourBarAxis(label, mark);
        axis.setRange(scale.getLowerBound(), Math.max(scale.getUpperBound(), scale.getLowerBound() + 1e-12));
        PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
        legend.setPosition(RectangleEdge.BOTTOM);         // beside the plot it would narrow the square cells
        legend.setStripWidth(12);
        legend.setAxisOffset(4);
        legend.setBackgroundPaint(Charts.background());
        legend.setMargin(2, 16, 2, 16);
        return legend;
    }

    /** Smallest and largest finite value, {0, 1} if there is none. */
    public static double[] range(double[][] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo > hi ? new double[]{0, 1} : new double[]{lo, hi};
    }

    /** True if any value is finite (not NaN or infinite). */
    public static boolean hasFiniteValue(double[][] values) {
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Largest finite |value|. */
    public static double extent(double[][] values) {
        double[] r = range(values);
        return Math.max(Math.abs(r[0]), Math.abs(r[1]));
    }

    /** A flat row-major array as [rows][cols]. */
    public static double[][] matrix(float[] flat, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = flat[r * cols + c];
            }
        }
        return m;
    }
}
