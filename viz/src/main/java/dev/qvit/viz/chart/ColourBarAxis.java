package dev.qvit.viz.chart;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.ui.RectangleEdge;

/**
 * The value axis under a colour bar, which can mark one value across the bar (the ideal of the number shown, e.g.
 * 1 for a std ratio): a line in the text colour with a halo in the background colour, visible on any cell colour.
 */
public final class ColourBarAxis extends NumberAxis {
    private final double mark;

    /** @param mark the value to mark, or NaN for none */
    public ColourBarAxis(String label, double mark) {
        super(label);
        this.mark = mark;
        setAutoRangeIncludesZero(false);
        Charts.styleAxis(this);
    }

    /** The marked value, NaN if none. */
    public double mark() {
        return mark;
    }

    /**
     * A {@code PaintScaleLegend} at the bottom draws its strip at the top of {@code dataArea} and this axis under it,
     * at {@code cursor}: the mark spans the strip.
     */
    @Override
    public AxisState draw(Graphics2D g2, double cursor, Rectangle2D plotArea, Rectangle2D dataArea, RectangleEdge edge,
                          PlotRenderingInfo info) {
        AxisState state = super.draw(g2, cursor, plotArea, dataArea, edge, info);
        if (Double.isFinite(mark) && getRange().contains(mark) && edge == RectangleEdge.BOTTOM) {
            double x = valueToJava2D(mark, dataArea, edge);
            Line2D line = new Line2D.Double(x, dataArea.getMinY() - 1, x, cursor);
            float width = (float) Math.max(1, Charts.fontScale());
            g2.setPaint(Charts.background());
            g2.setStroke(new BasicStroke(4 * width));
            g2.draw(line);
            g2.setPaint(Charts.foreground());
            g2.setStroke(new BasicStroke(2 * width));
            g2.draw(line);
        }
        return state;
    }
}
