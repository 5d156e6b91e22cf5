package dev.qvit.viz.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The workbench's chart look: white (or, with the dark theme, near-black) plot, faint grid, readable fonts; scaled
 * up in presentation mode. Theme and scale apply to charts created afterwards.
 */
public final class Charts {
    private static volatile double fontScale = 1.0;
    private static volatile boolean dark;
    /** Rendering hint marking charts with square cells (charts are mutable, so no set keyed on equals). */
    private static final java.awt.RenderingHints.Key SQUARE_CELLS = new java.awt.RenderingHints.Key(0x5157) {
        @Override
        public boolean isCompatibleValue(Object value) {
            return value instanceof Boolean;
        }
    };

    /** The plot insets of a square-cell chart before it is fitted to a size. */
    private static final RectangleInsets SQUARE_PLOT_INSETS = new RectangleInsets(4, 8, 4, 8);

    private Charts() {
    }

    /** 1 normally, about 1.4 for projectors. Applies to charts styled afterwards. */
    public static void setFontScale(double scale) {
        fontScale = scale;
    }

    public static double fontScale() {
        return fontScale;
    }

    /** Dark charts for the dark window theme (GitHub Primer dark colours, as AtlantaFX's PrimerDark). */
    public static void setDark(boolean on) {
        dark = on;
    }

    public static boolean dark() {
        return dark;
    }

    public static Color background() {
        return dark ? new Color(0x0D1117) : Color.WHITE;
    }

    /** Text, axis lines and neutral marks. */
    public static Color foreground() {
        return dark ? new Color(0xC9D1D9) : new Color(0x333333);
    }

    static Color grid() {
        return dark ? new Color(0x30363D) : new Color(0xE0E0E0);
    }

    /** An XY chart with the workbench's style and no legend yet. */
    public static JFreeChart xy(String title, XYPlot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, font(Font.BOLD, 13), plot, legend);
        style(chart);
        return chart;
    }

    public static void style(JFreeChart chart) {
        chart.setBackgroundPaint(background());
        chart.setPadding(new RectangleInsets(4, 4, 4, 8));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(font(Font.BOLD, 13));
            chart.getTitle().setPaint(foreground());
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(font(Font.PLAIN, 11));
            chart.getLegend().setItemPaint(foreground());
            chart.getLegend().setBackgroundPaint(background());
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(background());
            plot.setDomainGridlinePaint(grid());
            plot.setRangeGridlinePaint(grid());
            plot.setOutlineVisible(false);
            for (int i = 0; i < plot.getDomainAxisCount(); i++) {
                styleAxis(plot.getDomainAxis(i));
            }
            for (int i = 0; i < plot.getRangeAxisCount(); i++) {
                styleAxis(plot.getRangeAxis(i));
            }
        }
    }

    public static void styleAxis(org.jfree.chart.axis.ValueAxis axis) {
        if (axis != null) {
            axis.setLabelFont(font(Font.PLAIN, 12));
            axis.setTickLabelFont(font(Font.PLAIN, 11));
            axis.setLabelPaint(foreground());
            axis.setTickLabelPaint(foreground());
            axis.setAxisLinePaint(foreground());
            axis.setTickMarkPaint(foreground());
        }
    }

    public static NumberAxis axis(String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        styleAxis(axis);
        return axis;
    }

    public static TextTitle subtitle(String text) {
        TextTitle t = new TextTitle(text, font(Font.PLAIN, 11));
        t.setPaint(foreground());
        return t;
    }

    public static Font font(int style, int size) {
        return new Font("SansSerif", style, (int) Math.round(size * fontScale));
    }

    public static BasicStroke stroke(float width) {
        return new BasicStroke((float) (width * Math.max(1, fontScale)));
    }

    public static BasicStroke dashed(float width) {
        return new BasicStroke((float) (width * Math.max(1, fontScale)), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[]{6f, 4f}, 0f);
    }

    /** Marks a chart whose data units must be equally long on both axes (images, attention matrices). */
    public static void keepSquareCells(JFreeChart chart) {
        chart.getRenderingHints().put(SQUARE_CELLS, Boolean.TRUE);
    }

    /** Draws {@code chart} into a new w x h image, keeping square cells (see {@link #area}). */
    public static BufferedImage image(JFreeChart chart, int w, int h, ChartRenderingInfo info) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        try {
            synchronized (chart) {                            // area() lays the chart out for this size
                Rectangle2D area = area(chart, w, h);
                if (!area.equals(new Rectangle2D.Double(0, 0, w, h)) && chart.getBackgroundPaint() != null) {
                    g.setPaint(chart.getBackgroundPaint());
                    g.fillRect(0, 0, w, h);
                }
                chart.draw(g, area, null, info);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * Where in a w x h canvas to draw {@code chart}, laid out for that size: all of it, or for charts with square
     * cells the full width with the plot narrowed by equal side insets (so titles keep the whole width and do not
     * wrap more than needed) and the height shortened and centred, until the data area's aspect equals the ratio of
     * the axis ranges; the colour bar then spans the data area. Measured by layout passes, repeated because a
     * narrower plot may get other tick labels. Call with the chart's lock held when it may be drawn elsewhere.
     */
    public static Rectangle2D area(JFreeChart chart, int w, int h) {
        Rectangle2D area = new Rectangle2D.Double(0, 0, w, h);
        if (!Boolean.TRUE.equals(chart.getRenderingHints().get(SQUARE_CELLS))
                || !(chart.getPlot() instanceof XYPlot plot)) {
            return area;
        }
        plot.setInsets(SQUARE_PLOT_INSETS, false);
        double wanted = plot.getDomainAxis().getRange().getLength() / plot.getRangeAxis().getRange().getLength();
        for (int pass = 0; pass < 4; pass++) {
            Rectangle2D data = dataArea(chart, area);
            if (data.getWidth() <= 0 || data.getHeight() <= 0 || !(wanted > 0)) {
                return area;
            }
            double excessWidth = data.getWidth() - data.getHeight() * wanted;
            double excessHeight = data.getHeight() - data.getWidth() / wanted;
            if (Math.abs(excessWidth) < 1 && Math.abs(excessHeight) < 1) {
                break;
            }
            RectangleInsets in = plot.getInsets();
            double side = Math.max(SQUARE_PLOT_INSETS.getLeft(), in.getLeft() + excessWidth / 2);
            plot.setInsets(new RectangleInsets(in.getTop(), side, in.getBottom(), side), false);
            if (excessHeight > 0 || area.getHeight() < h) {
                double height = Math.min(h, area.getHeight() - excessHeight);
                area = new Rectangle2D.Double(0, (h - height) / 2, w, height);
            }
        }
        alignColourBars(chart, dataArea(chart, area), w);
        return area;
    }

    /** Puts the colour bars (bottom legends) of a square-cell chart right under its data area. */
    private static void alignColourBars(JFreeChart chart, Rectangle2D data, int w) {
        for (Object t : chart.getSubtitles()) {
            if (t instanceof org.jfree.chart.title.PaintScaleLegend legend) {
                legend.setMargin(2, Math.max(0, data.getMinX() - 4), 2, Math.max(0, w - data.getMaxX() - 4));
            }
        }
    }

    private static Rectangle2D dataArea(JFreeChart chart, Rectangle2D area) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB).createGraphics();
        try {
            chart.draw(scratch, area, null, info);
        } finally {
            scratch.dispose();
        }
        return info.getPlotInfo().getDataArea();
    }
}
