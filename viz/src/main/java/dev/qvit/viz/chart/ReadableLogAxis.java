package dev.qvit.viz.chart;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A log axis whose ticks are round numbers written out ("0.5", "2", "10"), never "10^0.18": the coarsest of
 * 1·10^k, {1, 2, 5}·10^k and {1, …, 9}·10^k that puts at least three ticks in range, or, on a range too narrow for
 * that (less than about a factor of 2), evenly spaced round numbers, where a log axis is nearly linear anyway.
 */
public final class ReadableLogAxis extends LogAxis {
    private static final double[][] MANTISSAS = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
    private static final int MIN_TICKS = 3;

    public ReadableLogAxis(String label) {
        super(label);
        setSmallestValue(1e-6);
    }

    @Override
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        List<NumberTick> ticks = new ArrayList<>();
        boolean vertical = RectangleEdge.isLeftOrRight(edge);
        TextAnchor anchor = vertical ? (edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT)
                : (edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
        for (double v : tickValues(getLowerBound(), getUpperBound())) {
            ticks.add(new NumberTick(TickType.MAJOR, v, label(v), anchor, TextAnchor.CENTER, 0.0));
        }
        return ticks;
    }

    /** The tick values in [lower, upper] (both > 0), ascending. */
    static List<Double> tickValues(double lower, double upper) {
        if (!(lower > 0) || !(upper > lower)) {
            return List.of();
        }
        for (double[] mantissas : MANTISSAS) {
            List<Double> ticks = new ArrayList<>();
            for (int k = (int) Math.floor(Math.log10(lower)); k <= (int) Math.ceil(Math.log10(upper)); k++) {
                for (double m : mantissas) {
                    double v = round(m * Math.pow(10, k));
                    if (v >= lower && v <= upper) {
                        ticks.add(v);
                    }
                }
            }
            if (ticks.size() >= MIN_TICKS) {
                return ticks;
            }
        }
        return linearTicks(lower, upper);
    }

    /** About five evenly spaced round numbers (steps of 1, 2 or 5 times a power of ten). */
    private static List<Double> linearTicks(double lower, double upper) {
        double raw = (upper - lower) / 5;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power
                : 10 * power;
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.ceil(lower / step) * step; v <= upper + step * 1e-9; v += step) {
            ticks.add(round(v));
        }
        return ticks;
    }

    private static double round(double v) {
        return new BigDecimal(v).round(new MathContext(6)).doubleValue();
    }

    /** "0.002", "0.5", "20", "1E-6" for the very small or large. */
    static String label(double v) {
        BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
        return v >= 1e-4 && v < 1e6 ? d.toPlainString() : d.toString();
    }
}
