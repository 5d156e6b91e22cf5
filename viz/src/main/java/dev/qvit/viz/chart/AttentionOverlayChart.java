package dev.qvit.viz.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * The cls token's attention to each patch drawn over the input image: the image in grey, the patch grid's
 * attention colour-mapped on top with alpha rising with the weight.
 */
public final class AttentionOverlayChart {
    private AttentionOverlayChart() {
    }

    /**
     * @param pixels    grey levels [rows][cols] (0..255)
     * @param attention cls attention per patch [grid][grid]
     * @param upper     top of the colour scale (shared by the charts compared side by side)
     */
    public static JFreeChart create(String title, double[][] pixels, double[][] attention, double upper) {
        int size = pixels.length;
        int grid = attention.length;
        double patch = (double) size / grid;
        DefaultXYZDataset image = new DefaultXYZDataset();
        image.addSeries("image (grey level 0-255)", HeatmapChart.cells(pixels));
        DefaultXYZDataset weights = new DefaultXYZDataset();
        double[][] cells = HeatmapChart.cells(attention);
        for (int i = 0; i < cells[0].length; i++) {
            cells[0][i] = (cells[0][i] + 0.5) * patch - 0.5;    // patch centres in pixel coordinates
            cells[1][i] = (cells[1][i] + 0.5) * patch - 0.5;
        }
        weights.addSeries("cls attention per patch", cells);
        XYBlockRenderer imageRenderer = new XYBlockRenderer();
        imageRenderer.setPaintScale(ColorMaps.grey());
        XYBlockRenderer attentionRenderer = new XYBlockRenderer();
        attentionRenderer.setBlockWidth(patch);
        attentionRenderer.setBlockHeight(patch);
        PaintScale scale = ColorMaps.viridisOverlay(0, upper, 200);
        attentionRenderer.setPaintScale(scale);
        NumberAxis x = HeatmapChart.integerAxis("column (px)", size);
        NumberAxis y = HeatmapChart.integerAxis("row (px)", size);
        y.setInverted(true);
        XYPlot plot = new XYPlot(image, x, y, imageRenderer);
        plot.setDataset(1, weights);
        plot.setRenderer(1, attentionRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = Charts.xy(title, plot, false);
        Charts.keepSquareCells(chart);
        chart.addSubtitle(HeatmapChart.colourBar(ColorMaps.viridis(0, upper), "attention weight"));
        return chart;
    }
}
