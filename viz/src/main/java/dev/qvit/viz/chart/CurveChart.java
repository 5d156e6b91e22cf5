package dev.qvit.viz.chart;

import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Lines against training step: losses, accuracies, DGD terms, step sizes; optional log scale and reference lines. */
public final class CurveChart {
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

    public static JFreeChart create(String title, String xLabel, String yLabel, List<Line> lines, boolean logScale,
                                    List<Reference> references, double markerX) {
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
        ValueAxis yAxis = logScale ? logAxis(yLabel) : Charts.axis(yLabel);
        XYPlot plot = new XYPlot(data, Charts.axis(xLabel), yAxis, renderer);
        for (Reference r : references) {
            ValueMarker m = new ValueMarker(r.value(), Palette.reference(), Charts.dashed(1.5f));
            m.setLabel(r.label());
            m.setLabelFont(Charts.font(java.awt.Font.PLAIN, 11));
            m.setLabelPaint(Charts.foreground());
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(m);
        }
        if (Double.isFinite(markerX)) {
            plot.addDomainMarker(new ValueMarker(markerX, Palette.LEVEL, Charts.stroke(1f)));
        }
        return Charts.xy(title, plot, lines.size() > 1);
    }

    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label + " (log scale)");
        axis.setSmallestValue(1e-6);
        Charts.styleAxis(axis);
        return axis;
    }
}
