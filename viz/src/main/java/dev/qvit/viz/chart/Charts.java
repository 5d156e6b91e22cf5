package dev.qvit.viz.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;

/** The workbench's chart look: white plot, light grid, readable fonts; scaled up in presentation mode. */
public final class Charts {
    private static volatile double fontScale = 1.0;

    private Charts() {
    }

    /** 1 normally, about 1.4 for projectors. Applies to charts styled afterwards. */
    public static void setFontScale(double scale) {
        fontScale = scale;
    }

    public static double fontScale() {
        return fontScale;
    }

    /** An XY chart with the workbench's style and no legend yet. */
    public static JFreeChart xy(String title, XYPlot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, font(Font.BOLD, 13), plot, legend);
        style(chart);
        return chart;
    }

    public static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 4, 4, 8));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(font(Font.BOLD, 13));
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(font(Font.PLAIN, 11));
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(new Color(0xE0E0E0));
            plot.setRangeGridlinePaint(new Color(0xE0E0E0));
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
        t.setPaint(new Color(0x333333));
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
}
