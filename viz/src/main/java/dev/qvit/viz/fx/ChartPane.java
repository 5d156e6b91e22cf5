package dev.qvit.viz.fx;

import dev.qvit.viz.chart.ChartExport;
import dev.qvit.viz.chart.Charts;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.image.ImageView;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.ChartEntity;

/**
 * One chart in the workbench. The chart is drawn off the FX thread (Java2D into an image on a shared render
 * thread; only the finished image is swapped in on the FX thread), so a redraw never pauses the UI. Right-click
 * exports the chart as PNG or SVG and its data as CSV; clicks report the chart entity under the mouse.
 * FX thread only, except the rendering it starts.
 */
public final class ChartPane extends Region {
    /** Export formats. */
    public enum Format {
        PNG("png"), SVG("svg"), CSV("csv");

        final String extension;

        Format(String extension) {
            this.extension = extension;
        }
    }

    private static final ExecutorService RENDERER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qvit-chart-render");
        t.setDaemon(true);
        return t;
    });
    private static File lastDirectory;
    private final ImageView image = new ImageView();
    private final Label placeholder = new Label("nothing to show yet");
    private final AtomicLong generation = new AtomicLong();
    private final ContextMenu menu = new ContextMenu();
    private JFreeChart current;
    private ChartRenderingInfo info;
    private Consumer<String> errors = message -> { };
    private Consumer<ChartEntity> onClick = entity -> { };

    public ChartPane() {
        getStyleClass().add("chart-pane");
        setMinSize(120, 100);
        setPrefSize(480, 320);
        placeholder.getStyleClass().add("chart-placeholder");
        placeholder.setWrapText(true);
        getChildren().addAll(image, placeholder);
        for (Format f : Format.values()) {
            MenuItem item = new MenuItem(f == Format.CSV ? "Export data as CSV…" : "Export chart as " + f + "…");
            item.setOnAction(e -> exportWithDialog(f));
            menu.getItems().add(item);
        }
        setOnContextMenuRequested(e -> menu.show(this, e.getScreenX(), e.getScreenY()));
        setOnMouseClicked(e -> {
            if (info != null && e.getButton() == javafx.scene.input.MouseButton.PRIMARY) {
                ChartEntity entity = info.getEntityCollection() == null ? null
                        : info.getEntityCollection().getEntity(e.getX(), e.getY());
                if (entity != null) {
                    onClick.accept(entity);
                }
            }
        });
        widthProperty().addListener((o, a, b) -> render());
        heightProperty().addListener((o, a, b) -> render());
        setChart(null);
    }

    @Override
    protected void layoutChildren() {
        placeholder.resizeRelocate(8, 8, Math.max(0, getWidth() - 16), Math.max(0, getHeight() - 16));
        image.relocate(0, 0);
    }

    /** Shows {@code chart} (which must not change afterwards), or a placeholder for null. */
    public void setChart(JFreeChart chart) {
        current = chart;
        image.setVisible(chart != null);
        placeholder.setVisible(chart == null);
        render();
    }

    private void render() {
        long ticket = generation.incrementAndGet();
        JFreeChart chart = current;
        int w = (int) Math.floor(getWidth());
        int h = (int) Math.floor(getHeight());
        if (chart == null || w < 20 || h < 20) {
            return;
        }
        RENDERER.submit(() -> {
            if (generation.get() != ticket) {
                return;                                   // a newer chart or size is already waiting
            }
            ChartRenderingInfo rendered = new ChartRenderingInfo();
            BufferedImage drawn = Charts.image(chart, w, h, rendered);
            javafx.scene.image.WritableImage shown = SwingFXUtils.toFXImage(drawn, null);  // not yet on screen
            Platform.runLater(() -> {
                if (generation.get() == ticket) {
                    image.setImage(shown);
                    info = rendered;
                }
            });
        });
    }

    public void setPlaceholder(String text) {
        placeholder.setText(text);
    }

    public JFreeChart chart() {
        return current;
    }

    /** True once the current chart's image is on screen. */
    public boolean drawn() {
        return current != null && image.getImage() != null && info != null;
    }

    /** Where export failures are reported (the workbench's status line). */
    public void setErrorHandler(Consumer<String> handler) {
        this.errors = handler;
    }

    /** Receives the chart entity (a heatmap cell, a data item) the user clicks on. */
    public void setOnChartClick(Consumer<ChartEntity> handler) {
        this.onClick = handler;
    }

    /** Centre (in pane coordinates) of the first drawn entity that matches, e.g. one heatmap cell. */
    public java.util.Optional<Point2D> entityCentre(java.util.function.Predicate<ChartEntity> which) {
        if (info == null || info.getEntityCollection() == null) {
            return java.util.Optional.empty();
        }
        for (Object o : info.getEntityCollection().getEntities()) {
            if (o instanceof ChartEntity e && which.test(e)) {
                var b = e.getArea().getBounds2D();
                return java.util.Optional.of(new Point2D.Double(b.getCenterX(), b.getCenterY()));
            }
        }
        return java.util.Optional.empty();
    }

    /** Writes the current chart; PNG and SVG at the size it has on screen (at least 640 x 400). */
    public void export(Format format, Path file) throws IOException {
        JFreeChart chart = current;
        if (chart == null) {
            throw new IOException("there is no chart to export yet");
        }
        int w = (int) Math.max(640, getWidth());
        int h = (int) Math.max(400, getHeight());
        switch (format) {
            case PNG -> ChartExport.png(chart, file, w, h);
            case SVG -> ChartExport.svg(chart, file, w, h);
            case CSV -> ChartExport.csv(chart, file);
        }
    }

    public void exportWithDialog(Format format) {
        if (current == null) {
            errors.accept("There is no chart to export yet.");
            return;
        }
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export " + format);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(format + " files", "*." + format.extension));
        if (lastDirectory != null && lastDirectory.isDirectory()) {
            chooser.setInitialDirectory(lastDirectory);
        }
        String title = current.getTitle() == null ? "chart" : current.getTitle().getText();
        chooser.setInitialFileName(title.replaceAll("[^A-Za-z0-9_.-]+", "_") + "." + format.extension);
        File file = chooser.showSaveDialog(getScene() == null ? null : getScene().getWindow());
        if (file == null) {
            return;
        }
        lastDirectory = file.getParentFile();
        try {
            export(format, file.toPath());
        } catch (IOException | RuntimeException e) {
            errors.accept("Could not export " + file.getName() + ": " + e.getMessage());
        }
    }
}
