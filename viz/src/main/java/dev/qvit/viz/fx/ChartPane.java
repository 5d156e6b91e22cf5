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
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.Region;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.entity.ChartEntity;

/**
 * One chart in the workbench. The chart is drawn off the FX thread (Java2D into an image on a shared pool of render
 * threads, one drawing of a pane at a time; only the finished image is swapped in on the FX thread), so a redraw never pauses the UI. Right-click
 * exports the chart as PNG or SVG and its data as CSV; clicks report the chart entity under the mouse, and a hover
 * shows its tooltip text (a heatmap cell's value) at once. A focusable pane takes the focus when clicked.
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

    /** One thread per core: panes draw side by side, each pane's drawings one at a time. */
    private static final ExecutorService RENDERERS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "qvit-chart-render");
                t.setDaemon(true);
                return t;
            });    private static File lastDirectory;
    private final ImageView image = new ImageView();
    private static final System.Logger LOG = System.getLogger(ChartPane.class.getName());
    private String placeholderText = "nothing to show yet";
    private final Label placeholder = new Label(placeholderText);
    private final AtomicLong generation = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean drawing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Drawing wanted;
    private final ContextMenu menu = new ContextMenu();
    private final Tooltip hover = new Tooltip();
    private JFreeChart current;
    /** The generation whose image is on screen (FX thread). */
    private long shown = -1;
    private ChartRenderingInfo info;
    private Consumer<String> errors = message -> { };
    private Consumer<String> news = message -> { };
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
        hover.setWrapText(true);
        hover.setMaxWidth(360);
        setOnMouseMoved(e -> showTooltip(e.getX(), e.getY(), e.getScreenX(), e.getScreenY()));
        setOnMouseExited(e -> hover.hide());
        setOnMousePressed(e -> {
            if (isFocusTraversable()) {
                requestFocus();
            }
        });
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
        placeholder.setText(placeholderText);
        placeholder.setVisible(chart == null);
        render();
    }

    private void render() {
        long ticket = generation.incrementAndGet();
        JFreeChart chart = current;
        int w = (int) Math.floor(getWidth());
        int h = (int) Math.floor(getHeight());
        if (chart == null || w < 20 || h < 20) {
            shown = ticket;                                   // nothing to draw at this size
            return;
        }
        wanted = new Drawing(ticket, chart, w, h);
        if (drawing.compareAndSet(false, true)) {
            RENDERERS.submit(this::drawWanted);
        }
    }

    /** What the pane should show: the chart of one generation at one size. */
    private record Drawing(long ticket, JFreeChart chart, int width, int height) {
    }

    /**
     * On a render thread: draws the newest wanted drawing, and again while newer ones arrived meanwhile (older
     * ones are skipped). One pane never draws on two threads at once: a JFreeChart is not safe to draw twice
     * concurrently.
     */
    private void drawWanted() {
        while (true) {
            Drawing d = wanted;
            if (generation.get() == d.ticket()) {
                try {
                    ChartRenderingInfo rendered = new ChartRenderingInfo();
                    BufferedImage drawn = Charts.image(d.chart(), d.width(), d.height(), rendered);
                    javafx.scene.image.WritableImage drawnImage = SwingFXUtils.toFXImage(drawn, null);
                    Platform.runLater(() -> {
                        if (generation.get() == d.ticket()) {
                            image.setImage(drawnImage);
                            info = rendered;
                            shown = d.ticket();
                        }
                    });
                } catch (RuntimeException e) {
                    // a chart that cannot be drawn says so in its place; the pane keeps drawing the next ones
                    LOG.log(System.Logger.Level.ERROR, "chart could not be drawn", e);
                    Platform.runLater(() -> {
                        if (generation.get() == d.ticket()) {
                            image.setVisible(false);
                            placeholder.setText("This chart could not be drawn: " + e);
                            placeholder.setVisible(true);
                            shown = d.ticket();
                        }
                    });
                }
            }
            drawing.set(false);
            if (wanted == d || !drawing.compareAndSet(false, true)) {
                return;                                   // nothing newer, or another thread took it
            }
        }
    }

    /** The generation of the pane's newest chart or size, and of the one on screen (FX thread). */
    public long generation() {
        return generation.get();
    }

    public long shownGeneration() {
        return shown;
    }

    /** Shows the tooltip of the chart entity under the mouse (e.g. a heatmap cell's value), or hides it. */
    private void showTooltip(double x, double y, double screenX, double screenY) {
        String text = tooltipAt(x, y);
        if (text == null) {
            hover.hide();
            return;
        }
        hover.setText(text);
        if (hover.isShowing()) {
            hover.setAnchorX(screenX + 14);
            hover.setAnchorY(screenY + 14);
        } else {
            hover.show(this, screenX + 14, screenY + 14);
        }
    }

    /** The tooltip text of the drawn entity at (x, y) in pane coordinates, or null. */
    public String tooltipAt(double x, double y) {
        if (info == null || info.getEntityCollection() == null) {
            return null;
        }
        ChartEntity entity = info.getEntityCollection().getEntity(x, y);
        return entity == null ? null : entity.getToolTipText();
    }

    /** The hover tooltip (showing while the mouse is over an entity that has a text). */
    public Tooltip hoverTooltip() {
        return hover;
    }

    /** The data area of the drawn chart in pane coordinates, or null before the first drawing. */
    public java.awt.geom.Rectangle2D dataArea() {
        return info == null ? null : info.getPlotInfo().getDataArea();
    }

    public void setPlaceholder(String text) {
        placeholderText = text;
        placeholder.setText(text);
    }

    public JFreeChart chart() {
        return current;
    }

    /** True when the image on screen is of the current chart at the current size (no drawing pending). */
    public boolean settled() {
        return shown == generation.get();
    }

    /** True once the current chart's image is on screen. */
    public boolean drawn() {
        return current != null && image.getImage() != null && info != null;
    }

    /** Where export failures are reported (the workbench's status line). */
    public void setErrorHandler(Consumer<String> handler) {
        this.errors = handler;
    }

    /** Where what went well is said ("Exported /home/me/q.png"; the workbench's status line). */
    public void setStatusHandler(Consumer<String> handler) {
        this.news = handler;
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

    /** Asks where to write the current chart (a dialog that fits the screen), then writes it. */
    public void exportWithDialog(Format format) {
        if (current == null) {
            errors.accept("There is no chart to export yet.");
            return;
        }
        String title = current.getTitle() == null ? "chart" : current.getTitle().getText();
        Path start = lastDirectory != null && lastDirectory.isDirectory() ? lastDirectory.toPath()
                : Path.of(System.getProperty("user.home"));
        new ExportDialog(getScene() == null ? null : getScene().getWindow(), format.name(), start,
                title.replaceAll("[^A-Za-z0-9_.-]+", "_") + "." + format.extension).whenChosen(file -> {
                    lastDirectory = file.getParent().toFile();
                    try {
                        export(format, file);
                        news.accept("Exported " + file);
                    } catch (IOException | RuntimeException e) {
                        errors.accept("Could not export " + file.getFileName() + ": " + e.getMessage());
                    }
                });
    }
}
