package dev.qvit.viz.chart;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYZDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Writes a chart as PNG or SVG (JFreeSVG) and the data it draws as CSV. Each file is written to a temporary sibling
 * and moved into place, so a failed export never leaves half a file.
 */
public final class ChartExport {
    private ChartExport() {
    }

    public static void png(JFreeChart chart, Path file, int width, int height) throws IOException {
        Path tmp = temporary(file);
        javax.imageio.ImageIO.write(Charts.image(chart, width, height, null), "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void svg(JFreeChart chart, Path file, int width, int height) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        synchronized (chart) {                                // laid out for this size, as on screen
            var area = Charts.area(chart, width, height);
            if (area.getWidth() < width || area.getHeight() < height) {
                g.setPaint(chart.getBackgroundPaint());
                g.fillRect(0, 0, width, height);
            }
            chart.draw(g, area);
        }
        Path tmp = temporary(file);
        SVGUtils.writeToSVG(tmp.toFile(), g.getSVGElement());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One row per plotted point: dataset, series, x, y (and z for heatmaps). */
    public static void csv(JFreeChart chart, Path file) throws IOException {
        Path tmp = temporary(file);
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            writeCsv(chart, w);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeCsv(JFreeChart chart, Writer w) throws IOException {
        if (!(chart.getPlot() instanceof XYPlot plot)) {
            throw new IOException("only XY charts export to CSV");
        }
        w.write("chart,dataset,series,x,y,z\n");
        String title = chart.getTitle() == null ? "" : chart.getTitle().getText();
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            XYDataset data = plot.getDataset(d);
            if (data == null) {
                continue;
            }
            for (int s = 0; s < data.getSeriesCount(); s++) {
                String series = String.valueOf(data.getSeriesKey(s));
                for (int i = 0; i < data.getItemCount(s); i++) {
                    String z = data instanceof XYZDataset xyz ? number(xyz.getZValue(s, i)) : "";
                    w.write(quote(title) + "," + d + "," + quote(series) + "," + number(data.getXValue(s, i)) + ","
                            + number(data.getYValue(s, i)) + "," + z + "\n");
                }
            }
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static Path temporary(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    }
}
