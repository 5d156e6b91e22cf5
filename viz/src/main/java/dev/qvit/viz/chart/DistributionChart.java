package dev.qvit.viz.chart;

import dev.qvit.records.HeadDistribution;
import dev.qvit.records.GaussianFit;
import dev.qvit.records.Histogram;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepAreaRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Histograms of q or k (as densities, translucent steps) with their fitted Gaussians (lines), e.g. teacher vs
 * student, and optionally the student quantizer's levels (ticks) and clipped range (shaded).
 */
public final class DistributionChart {
    private DistributionChart() {
    }

    /** One distribution to draw. */
    public record Curve(String name, HeadDistribution distribution, Color color) {
    }

    /**
     * A quantizer's grid on the value axis.
     *
     * @param levels    the dequantized values s * (c - round(z)) of every code c
     * @param clipShare share of the input values outside [clipLow, clipHigh]
     */
    public record Levels(double[] levels, double clipLow, double clipHigh, double clipShare) {
        public Levels {
            levels = levels.clone();
        }

        /** Levels of a quantizer with step s and zero point z over codes qn..qp. */
        public static Levels of(double step, double zeroPoint, int qn, int qp, double clipShare) {
            double z = Math.rint(zeroPoint);
            double[] v = new double[qp - qn + 1];
            for (int c = qn; c <= qp; c++) {
                v[c - qn] = step * (c - z);
            }
            // LSQ clamps v = x / s + round(z) to [Qn, Qp]: inputs beyond the end levels are clipped
            return new Levels(v, v[0], v[v.length - 1], clipShare);
        }
    }

    public static JFreeChart create(String title, String valueLabel, List<Curve> curves, Levels levels) {
        XYSeriesCollection fits = new XYSeriesCollection();
        XYSeriesCollection histograms = new XYSeriesCollection();
        XYLineAndShapeRenderer fitRenderer = new XYLineAndShapeRenderer(true, false);
        XYStepAreaRenderer histogramRenderer = new XYStepAreaRenderer(XYStepAreaRenderer.AREA_AND_SHAPES);
        histogramRenderer.setShapesVisible(false);
        histogramRenderer.setOutline(true);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            Histogram h = c.distribution().histogram();
            GaussianFit fit = c.distribution().fit();
            histograms.addSeries(densitySteps(c.name() + " " + describe(fit), h));
            fits.addSeries(gaussian(c.name() + " Gaussian fit", fit, h.min(), h.max()));
            histogramRenderer.setSeriesPaint(i, Palette.withAlpha(c.color(), Charts.dark() ? 130 : 70));  // fills show on dark
            histogramRenderer.setSeriesOutlinePaint(i, c.color());
            fitRenderer.setSeriesPaint(i, Palette.fitLine(c.color()));
            fitRenderer.setSeriesStroke(i, Charts.stroke(2f));
            fitRenderer.setSeriesVisibleInLegend(i, false);
            lo = Math.min(lo, h.min());
            hi = Math.max(hi, h.max());
        }
        XYPlot plot = new XYPlot(fits, Charts.axis(valueLabel), Charts.axis("density (1 / unit of value)"), fitRenderer);
        plot.setDataset(1, histograms);
        plot.setRenderer(1, histogramRenderer);
        JFreeChart chart = Charts.xy(title, plot, true);
        if (levels != null) {
            drawLevels(plot, levels, Math.min(lo, levels.clipLow()), Math.max(hi, levels.clipHigh()));
            chart.addSubtitle(Charts.subtitle(String.format(Locale.ROOT,
                    "quantizer: %d levels (ticks), clipping range [%.3f, %.3f]; shaded = clipped, %.2f %% of values",
                    levels.levels().length, levels.clipLow(), levels.clipHigh(), 100 * levels.clipShare())));
        }
        return chart;
    }

    /** "μ=0.012 σ=1.234". */
    public static String describe(GaussianFit fit) {
        return String.format(Locale.ROOT, "μ=%.3f σ=%.3f", fit.mean(), fit.std());
    }

    private static void drawLevels(XYPlot plot, Levels levels, double lo, double hi) {
        for (double level : levels.levels()) {
            ValueMarker tick = new ValueMarker(level, Palette.LEVEL, Charts.stroke(1f));
            plot.addDomainMarker(tick, Layer.FOREGROUND);
        }
        double pad = 0.05 * (hi - lo);
        plot.addDomainMarker(new IntervalMarker(lo - pad, levels.clipLow(), Palette.withAlpha(Palette.CLIPPED, 60)),
                Layer.BACKGROUND);
        plot.addDomainMarker(new IntervalMarker(levels.clipHigh(), hi + pad, Palette.withAlpha(Palette.CLIPPED, 60)),
                Layer.BACKGROUND);
        plot.getDomainAxis().setRange(lo - pad, hi + pad);
    }

    /** Density steps: count / (total * bin width) from each bin's left edge, closed at the right edge. */
    static XYSeries densitySteps(String name, Histogram h) {
        XYSeries s = new XYSeries(name, false, true);
        long[] counts = h.counts();
        double scale = h.total() == 0 || h.binWidth() == 0 ? 0 : 1.0 / (h.total() * h.binWidth());
        for (int b = 0; b < counts.length; b++) {
            s.add(h.min() + b * h.binWidth(), counts[b] * scale);
        }
        s.add(h.max(), counts.length == 0 ? 0 : counts[counts.length - 1] * scale);
        return s;
    }

    static XYSeries gaussian(String name, GaussianFit fit, double lo, double hi) {
        XYSeries s = new XYSeries(name, false, true);
        if (!(fit.std() > 0)) {
            return s;
        }
        double a = Math.min(lo, fit.mean() - 4 * fit.std());
        double b = Math.max(hi, fit.mean() + 4 * fit.std());
        int points = 160;
        for (int i = 0; i <= points; i++) {
            double x = a + (b - a) * i / points;
            s.add(x, fit.density(x));
        }
        return s;
    }
}
