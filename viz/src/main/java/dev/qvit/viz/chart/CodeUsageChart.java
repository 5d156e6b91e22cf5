package dev.qvit.viz.chart;

import java.awt.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** How often each of a quantizer's 2^b integer codes is used: one bar per code, and no other code on the axis. */
public final class CodeUsageChart {
    private CodeUsageChart() {
    }

    public static JFreeChart create(String title, int lowestCode, long[] counts, Color color) {
        XYSeries s = new XYSeries("share of values", false, true);
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        for (int i = 0; i < counts.length; i++) {
            s.add(lowestCode + i, total == 0 ? 0 : (double) counts[i] / total);
        }
        XYBarRenderer renderer = new XYBarRenderer(0.15);
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, color);
        NumberAxis x = Charts.axis("integer code");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(lowestCode - 0.5, lowestCode + counts.length - 0.5);    // the 2^b codes only, no -9 or 8 at 4 bits
        NumberAxis y = Charts.axis("share of values");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(new XYSeriesCollection(s), x, y, renderer);
        return Charts.xy(title, plot, false);
    }
}
