package dev.qvit.viz.chart;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/**
 * Colour scales for heatmaps: a viridis-like sequential map and a magenta-green diverging map whose middle (no
 * change) is white on light charts and the background's grey on dark ones. The theme applies to scales made afterwards.
 */
public final class ColorMaps {
    private static final Color[] VIRIDIS = {new Color(0x440154), new Color(0x482878), new Color(0x3E4A89),
            new Color(0x31688E), new Color(0x26828E), new Color(0x1F9E89), new Color(0x35B779), new Color(0x6DCD59),
            new Color(0xB4DE2C), new Color(0xFDE725)};
    private static final Color[] DIVERGING = {new Color(0x8E0152), new Color(0xDE77AE), new Color(0xF7F7F7),
            new Color(0x7FBC41), new Color(0x276419)};
    /** The same map for the dark theme: no change is the dark background's grey, the ends are the light ones. */
    private static final Color[] DIVERGING_DARK = {new Color(0xF1B6DA), new Color(0xC51B7D), new Color(0x21262D),
            new Color(0x4D9221), new Color(0xB8E186)};

    private ColorMaps() {
    }

    /** Sequential scale over [lower, upper]; NaN is light grey. */
    public static PaintScale viridis(double lower, double upper) {
        return new Scale(lower, upper, VIRIDIS, 255);
    }

    /** Sequential scale whose colours fade to transparent at the low end (for overlays on an image). */
    public static PaintScale viridisOverlay(double lower, double upper, int maxAlpha) {
        return new Scale(lower, upper, VIRIDIS, -maxAlpha);
    }

    /** Diverging scale symmetric around 0 over [-extent, extent]; its middle is the chart background's tone. */
    public static PaintScale diverging(double extent) {
        return diverging(0, extent);
    }

    /** Diverging scale symmetric around {@code centre} over [centre - extent, centre + extent]. */
    public static PaintScale diverging(double centre, double extent) {
        double e = extent > 0 ? extent : 1;
        return new Scale(centre - e, centre + e, Charts.dark() ? DIVERGING_DARK : DIVERGING, 255);
    }

    /** Grey levels over [0, 255]. */
    public static PaintScale grey() {
        return new Scale(0, 255, new Color[]{Color.BLACK, Color.WHITE}, 255);
    }

    /** Linear interpolation between colour stops; a negative alpha means "alpha rises with the value up to -alpha". */
    private record Scale(double lower, double upper, Color[] stops, int alpha) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lower;
        }

        @Override
        public double getUpperBound() {
            return upper;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return Charts.dark() ? new Color(0x484F58) : new Color(0xDDDDDD);
            }
            double t = upper > lower ? (value - lower) / (upper - lower) : 0.5;
            t = Math.max(0, Math.min(1, t));
            double pos = t * (stops.length - 1);
            int i = Math.min(stops.length - 2, (int) pos);
            double f = pos - i;
            Color a = stops[i];
            Color b = stops[i + 1];
            int a8 = alpha >= 0 ? alpha : (int) Math.round(-alpha * t);
            return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f),
                    mix(a.getBlue(), b.getBlue(), f), a8);
        }

        private static int mix(int x, int y, double f) {
            return (int) Math.round(x + (y - x) * f);
        }
    }
}
