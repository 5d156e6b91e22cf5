package dev.qvit.viz.chart;

import dev.qvit.records.AblationRow;
import dev.qvit.records.BlockHistograms;
import dev.qvit.records.GaussianFit;
import dev.qvit.records.Histogram;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The ablation studio's charts: accuracy per variant and bit width with the seed spread, and the paper's Fig. 1. */
public final class AblationCharts {
    private AblationCharts() {
    }

    /** One model's Fig. 1 histograms per block, e.g. "FP teacher", "W4A4 baseline", "W4A4 IRM(distribution)". */
    public record Fig1Model(String name, List<BlockHistograms> blocks) {
    }

    /**
     * Bars of mean test accuracy (%) per bit width (categories) and variant (series) with ± one sample std over seeds
     * as error bars, and the FP teacher as a line.
     */
    public static JFreeChart accuracyBars(List<AblationRow> rows, double teacherAccuracy) {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        for (AblationRow r : rows) {
            double std = Double.isNaN(r.accuracyStd()) ? 0 : 100 * r.accuracyStd();
            data.add(100 * r.accuracy(), std, r.variant() + " (n=" + r.seeds().size() + ")",
                    "W" + r.bits() + "A" + r.bits());
        }
        NumberAxis y = Charts.axis("test accuracy (%)");
        y.setAutoRangeIncludesZero(false);
        StatisticalBarRenderer bars = new StatisticalBarRenderer();
        bars.setErrorIndicatorPaint(Charts.foreground());
        bars.setDrawBarOutline(false);
        bars.setItemMargin(0.05);
        bars.setMaximumBarWidth(0.08);
        for (int i = 0; i < 8; i++) {
            bars.setSeriesPaint(i, Palette.series(i));
        }
        bars.setShadowVisible(false);
        bars.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        CategoryAxis x = new CategoryAxis("bits");
        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        if (!Double.isNaN(teacherAccuracy)) {
            ValueMarker fp = new ValueMarker(100 * teacherAccuracy, Palette.reference(), Charts.dashed(1.5f));
            fp.setLabel(String.format("FP teacher %.2f %%", 100 * teacherAccuracy));
            fp.setLabelPaint(Charts.foreground());
            fp.setLabelFont(Charts.font(Font.PLAIN, 11));
            fp.setLabelBackgroundColor(new java.awt.Color(0, 0, 0, 0));
            fp.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            fp.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);          // below the line: clear of the title
            plot.addRangeMarker(fp);
            double lo = rows.stream().mapToDouble(r -> 100 * (r.accuracy() - (Double.isNaN(r.accuracyStd()) ? 0
                    : r.accuracyStd()))).min().orElse(100 * teacherAccuracy);
            y.setRange(Math.floor(Math.min(lo, 100 * teacherAccuracy) - 2), Math.ceil(100 * teacherAccuracy + 1.5));
        }
        styleCategory(plot);
        JFreeChart chart = new JFreeChart("Test accuracy per variant (mean ± std over seeds)", Charts.font(Font.BOLD, 13),
                plot, true);
        Charts.style(chart);
        return chart;
    }

    /**
     * Fig. 1 of the paper for our models: per block (side by side) the histogram of the query values (as a density)
     * and its Gaussian fit, for every model given (the FP teacher, a quantized baseline, the model with IRM);
     * {@code stage} says where the students' values are taken, e.g. "entering the quantizers".
     */
    public static JFreeChart fig1(List<Fig1Model> models, boolean keys, String stage) {
        NumberAxis density = Charts.axis("density");
        density.setUpperMargin(0.1 + 0.08 * models.size());          // room above the peaks for the μ/σ lines
        CombinedRangeXYPlot combined = new CombinedRangeXYPlot(density);
        combined.setGap(8);
        int blocks = models.stream().mapToInt(m -> m.blocks().size()).min().orElse(0);
        for (int l = 0; l < blocks; l++) {
            XYSeriesCollection histograms = new XYSeriesCollection();
            XYSeriesCollection fits = new XYSeriesCollection();
            for (Fig1Model m : models) {
                BlockHistograms b = m.blocks().get(l);
                Histogram h = keys ? b.key() : b.query();
                GaussianFit fit = keys ? b.keyFit() : b.queryFit();
                histograms.addSeries(densitySteps(m.name(), h));
                fits.addSeries(gaussian(m.name(), fit, h.min(), h.max()));
            }
            NumberAxis x = Charts.axis((keys ? "k" : "q") + ", block " + l);
            XYStepRenderer steps = new XYStepRenderer();
            XYLineAndShapeRenderer curves = new XYLineAndShapeRenderer(true, false);
            for (int i = 0; i < models.size(); i++) {
                steps.setSeriesPaint(i, colour(i));
                steps.setSeriesStroke(i, Charts.stroke(1.2f));
                steps.setSeriesVisibleInLegend(i, false);
                curves.setSeriesPaint(i, colour(i));
                curves.setSeriesStroke(i, Charts.dashed(2f));
                curves.setSeriesVisibleInLegend(i, l == 0);
            }
            XYPlot plot = new XYPlot(histograms, x, null, steps);
            plot.setDataset(1, fits);
            plot.setRenderer(1, curves);
            for (int i = 0; i < models.size(); i++) {
                BlockHistograms b = models.get(i).blocks().get(l);
                GaussianFit fit = keys ? b.keyFit() : b.queryFit();
                org.jfree.chart.title.TextTitle t = new org.jfree.chart.title.TextTitle(
                        String.format("μ %.3f σ %.3f", fit.mean(), fit.std()), Charts.font(Font.PLAIN, 11));
                t.setPaint(colour(i));
                t.setBackgroundPaint(null);
                plot.addAnnotation(new org.jfree.chart.annotations.XYTitleAnnotation(0.02, 0.98 - 0.07 * i, t,
                        org.jfree.chart.ui.RectangleAnchor.TOP_LEFT));
            }
            combined.add(plot);
        }
        JFreeChart chart = new JFreeChart("Fig. 1: " + (keys ? "key" : "query") + " values per block " + stage
                + ", histogram and Gaussian fit", Charts.font(Font.BOLD, 13), combined, true);
        Charts.style(chart);
        for (Object p : combined.getSubplots()) {
            XYPlot sub = (XYPlot) p;
            sub.setBackgroundPaint(Charts.background());
            sub.setOutlineVisible(false);
            Charts.styleAxis(sub.getDomainAxis());
        }
        Charts.styleAxis(density);
        return chart;
    }

    private static java.awt.Color colour(int i) {
        return i == 0 ? Palette.TEACHER : i == 1 ? Palette.STUDENT : i == 2 ? Palette.RECTIFIED : Palette.series(i);
    }

    private static XYSeries densitySteps(String name, Histogram h) {
        XYSeries s = new XYSeries(name, false);
        long total = 0;
        for (long c : h.counts()) {
            total += c;
        }
        int bins = h.counts().length;
        double width = (h.max() - h.min()) / bins;
        for (int i = 0; i < bins; i++) {
            s.add(h.min() + i * width, total == 0 || width <= 0 ? 0 : h.counts()[i] / (total * width));
        }
        s.add(h.max(), 0);
        return s;
    }

    private static XYSeries gaussian(String name, GaussianFit fit, double lo, double hi) {
        XYSeries s = new XYSeries(name, false);
        int points = 120;
        for (int i = 0; i <= points; i++) {
            double x = lo + (hi - lo) * i / points;
            double z = (x - fit.mean()) / fit.std();
            s.add(x, Math.exp(-0.5 * z * z) / (fit.std() * Math.sqrt(2 * Math.PI)));
        }
        return s;
    }

    private static void styleCategory(CategoryPlot plot) {
        plot.setBackgroundPaint(Charts.background());
        plot.setRangeGridlinePaint(Charts.grid());
        plot.setOutlineVisible(false);
        plot.getDomainAxis().setLabelFont(Charts.font(Font.PLAIN, 12));
        plot.getDomainAxis().setLabelPaint(Charts.foreground());
        plot.getDomainAxis().setTickLabelFont(Charts.font(Font.PLAIN, 12));
        plot.getDomainAxis().setTickLabelPaint(Charts.foreground());
        Charts.styleAxis(plot.getRangeAxis());
    }
}
