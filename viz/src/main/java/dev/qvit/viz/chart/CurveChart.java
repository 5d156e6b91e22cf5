package dev.qvit.viz.chart;

import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Lines against training step: losses, accuracies, DGD terms, step sizes; optional log scale and reference lines.
 * The value axis always shows the reference lines (a teacher's accuracy above every student point stays in view)
 * and never zooms into rounding noise: its span is at least {@link #FLAT_SPAN} of the largest |value|, at least the
 * caller's minimum, and 1 when every value is 0 (not ±4E-9).
 */
public final class CurveChart {
    /** Smallest span of the value axis, relative to the largest |value|. */
    static final double FLAT_SPAN = 1e-3;
    /** The smallest span of the values of a single snapshot, as a share of the largest |value|. */
    static final double SINGLE_SPAN = 0.2;

    private CurveChart() {
    }

    /** One line: x and y of equal length. */
    public record Line(String name, double[] x, double[] y) {
        public Line {
            if (x.length != y.length) {
                throw new IllegalArgumentException("a line needs as many x as y values");
            }
            x = x.clone();
            y = y.clone();
        }
    }

    /** A horizontal reference (e.g. the teacher's accuracy). */
    public record Reference(String label, double value) {
    }

    /**
     * @param logScale a log value axis (its label says so; values <= 0 are left out)
     * @param markerX  the step marked by a vertical line (the replayed snapshot), or NaN
     */
    public static JFreeChart create(String title, String xLabel, String yLabel, List<Line> lines, boolean logScale,
                                    List<Reference> references, double markerX) {
        return create(title, xLabel, yLabel, lines, logScale, references, markerX, 0);
    }

    /** @param minSpan the smallest span of a linear value axis, in the values' unit (e.g. 1 percentage point) */
    public static JFreeChart create(String title, String xLabel, String yLabel, List<Line> lines, boolean logScale,
                                    List<Reference> references, double markerX, double minSpan) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            XYSeries s = new XYSeries(line.name(), false, true);
            for (int k = 0; k < line.x().length; k++) {
                double y = line.y()[k];
                if (Double.isFinite(y) && (!logScale || y > 0)) {
                    s.add(line.x()[k], y);
                }
            }
            data.addSeries(s);
            renderer.setSeriesPaint(i, Palette.series(i));
            renderer.setSeriesStroke(i, Charts.stroke(1.5f));
            renderer.setSeriesShapesVisible(i, line.x().length <= 40);
        }
        NumberAxis xAxis = domainAxis(xLabel, data);
        // one snapshot: its values at a readable scale (a fifth of their size), not zoomed in to four decimals
        double flat = xAxis.isAutoRange() ? FLAT_SPAN : SINGLE_SPAN;
        ValueAxis yAxis = logScale ? logAxis(yLabel) : linearAxis(yLabel, data, references, minSpan, flat);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        for (Reference r : references) {
            ValueMarker m = new ValueMarker(r.value(), Palette.reference(), Charts.dashed(1.5f));
            m.setLabel(r.label());
            m.setLabelFont(Charts.font(java.awt.Font.PLAIN, 11));
            m.setLabelPaint(Charts.foreground());
            m.setLabelBackgroundColor(Palette.withAlpha(Charts.background(), 0));
            m.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(3, 6, 3, 6));
            plot.addRangeMarker(m);
        }
        if (Double.isFinite(markerX)) {
            plot.addDomainMarker(new ValueMarker(markerX, Palette.LEVEL, Charts.stroke(1f)));
        }
        return Charts.xy(title, plot, lines.size() > 1);
    }

    /**
     * The x axis; around a single x (one snapshot: an imported model, a teacher) one unit either side in whole
     * numbers, where JFreeChart's automatic range would label a sliver of width 0 with "1E0" five times.
     */
    private static NumberAxis domainAxis(String label, XYSeriesCollection data) {
        NumberAxis axis = Charts.axis(label);
        double[] x = extent(data, true);
        double lo = x[0];
        double hi = x[1];
        if (lo <= hi && hi - lo <= 1e-9 * Math.max(1, Math.abs(hi))) {
            axis.setRange(lo - 1, hi + 1);
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        return axis;
    }

    /** {lowest, highest} x (or y) over every series; {+inf, -inf} without data. */
    private static double[] extent(XYSeriesCollection data, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            for (int i = 0; i < data.getItemCount(s); i++) {
                double v = x ? data.getXValue(s, i) : data.getYValue(s, i);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new double[] {lo, hi};
    }

    /** The value axis over the data and the references, with 5 % margins; a non-negative curve stays above 0. */
    private static NumberAxis linearAxis(String label, XYSeriesCollection data, List<Reference> references,
                                         double minSpan, double flatSpan) {
        NumberAxis axis = Charts.axis(label);
        double[] y = extent(data, false);
        double lo = y[0];
        double hi = y[1];
        for (Reference r : references) {
            lo = Math.min(lo, r.value());
            hi = Math.max(hi, r.value());
        }
        if (lo > hi) {
            return axis;                                      // nothing to show: JFreeChart's default range
        }
        double largest = Math.max(Math.abs(lo), Math.abs(hi));
        double span = Math.max(Math.max(hi - lo, flatSpan * largest), largest == 0 ? Math.max(1, minSpan) : minSpan);
        double half = span / 2 * 1.1;
        double middle = (lo + hi) / 2;
        double bottom = lo >= 0 && middle - half < 0 ? 0 : middle - half;
        axis.setRange(bottom, Math.max(middle + half, bottom + 2 * half));
        return axis;
    }

    private static ValueAxis logAxis(String label) {
        ReadableLogAxis axis = new ReadableLogAxis(label + ", log scale");
        Charts.styleAxis(axis);
        return axis;
    }
}
