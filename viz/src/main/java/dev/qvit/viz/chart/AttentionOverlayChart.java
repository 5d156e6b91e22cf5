package dev.qvit.viz.chart;

import java.awt.image.BufferedImage;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYDataImageAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * The cls token's attention to each patch drawn over the input image: the image in grey (or, for an RGB model, in
 * colour, drawn as one picture: 224 x 224 pixels are too many cells for a block renderer), the patch grid's
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
        DefaultXYZDataset weights = weights(attention, patch);
        XYBlockRenderer imageRenderer = new XYBlockRenderer();
        imageRenderer.setPaintScale(ColorMaps.grey());
        return overlay(title, image, imageRenderer, size, attention, weights, patch, upper);
    }

    /**
     * @param image     the input image as the model saw it (its crop), size x size pixels
     * @param attention cls attention per patch [grid][grid]
     * @param upper     top of the colour scale (shared by the charts compared side by side)
     */
    public static JFreeChart create(String title, BufferedImage image, double[][] attention, double upper) {
        int size = image.getWidth();
        int grid = attention.length;
        double patch = (double) size / grid;
        DefaultXYZDataset weights = weights(attention, patch);
        XYBlockRenderer imageRenderer = new XYBlockRenderer();
        // drawn from (-0.5, -0.5) over size x size data units: the picture's top-left pixel at row 0, column 0
        imageRenderer.addAnnotation(new XYDataImageAnnotation(image, -0.5, -0.5, size, size, false),
                org.jfree.chart.ui.Layer.BACKGROUND);
        return overlay(title, new DefaultXYZDataset(), imageRenderer, size, attention, weights, patch, upper);
    }

    /** A pixel per patch, in the overlay scale's colour and alpha. */
    private static BufferedImage picture(double[][] attention, PaintScale scale) {
        int grid = attention.length;
        BufferedImage out = new BufferedImage(grid, grid, BufferedImage.TYPE_INT_ARGB);
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                out.setRGB(c, r, ((java.awt.Color) scale.getPaint(attention[r][c])).getRGB());
            }
        }
        return out;
    }

    private static final PaintScale TRANSPARENT = new org.jfree.chart.renderer.LookupPaintScale(0, 1,
            new java.awt.Color(0, 0, 0, 0));

    private static DefaultXYZDataset weights(double[][] attention, double patch) {
        DefaultXYZDataset weights = new DefaultXYZDataset();
        double[][] cells = HeatmapChart.cells(attention);
        for (int i = 0; i < cells[0].length; i++) {
            cells[0][i] = (cells[0][i] + 0.5) * patch - 0.5;    // patch centres in pixel coordinates
            cells[1][i] = (cells[1][i] + 0.5) * patch - 0.5;
        }
        weights.addSeries("cls attention per patch", cells);
        return weights;
    }

    /**
     * The attention is drawn as one picture of a pixel per patch, scaled up: blocks drawn one by one leave seams
     * between neighbours. Its cells are still in the chart, drawn transparent, for the tooltips and the CSV export.
     */
    private static JFreeChart overlay(String title, DefaultXYZDataset image, XYBlockRenderer imageRenderer, int size,
                                      double[][] attention, DefaultXYZDataset weights, double patch, double upper) {
        XYBlockRenderer attentionRenderer = new XYBlockRenderer();
        attentionRenderer.setBlockWidth(patch);
        attentionRenderer.setBlockHeight(patch);
        attentionRenderer.setPaintScale(TRANSPARENT);
        attentionRenderer.addAnnotation(new XYDataImageAnnotation(picture(attention, ColorMaps.viridisOverlay(0, upper,
                200)), -0.5, -0.5, size, size, false), org.jfree.chart.ui.Layer.FOREGROUND);
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
