package dev.qvit.viz.chart;

import java.awt.Color;

/**
 * Okabe-Ito colours, safe for colour-blind viewers; one meaning keeps one colour in every view (ui.md).
 */
public final class Palette {
    public static final Color TEACHER = new Color(0x0072B2);
    public static final Color STUDENT = new Color(0xE69F00);
    public static final Color RECTIFIED = new Color(0x009E73);
    public static final Color CLIPPED = new Color(0x999999);
    public static final Color LEVEL = new Color(0xCC79A7);
    static final Color REFERENCE = new Color(0x555555);
    private static final Color REFERENCE_ON_DARK = new Color(0xAAAAAA);
    /** Distinct line colours for per-layer or per-head series. */
    private static final Color[] SERIES = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
            new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000)};

    private Palette() {
    }

    public static Color series(int i) {
        Color c = SERIES[Math.floorMod(i, SERIES.length)];
        return c.equals(Color.BLACK) ? Charts.foreground() : c;
    }

    /** Reference lines (the teacher's accuracy, a target), readable on the current chart background. */
    public static Color reference() {
        return Charts.dark() ? REFERENCE_ON_DARK : REFERENCE;
    }

    /** The Gaussian fit's line: a shade of the histogram's colour that stands out from the background. */
    public static Color fitLine(Color c) {
        return Charts.dark() ? c.brighter() : c.darker();
    }

    public static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }
}
