package dev.qvit.app.fx;

import dev.qvit.viz.chart.HeatmapChart;
import dev.qvit.viz.fx.ChartPane;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Control;
import javafx.scene.control.Labeled;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.skin.TableHeaderRow;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.text.Text;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.PaintScaleLegend;

/**
 * What a user would see cut in a window: texts shortened with an ellipsis, controls outside the pane that clips
 * them (or outside the window), chart axis labels longer than their axis. Each check returns one line per defect.
 * FX thread only.
 */
final class Layout {
    private Layout() {
    }

    /** Every shown label, button, cell or header whose text is drawn shortened ("mean ste…", "bundl…"). */
    static List<String> cutTexts(Scene scene) {
        List<String> cut = new ArrayList<>();
        visit(scene.getRoot(), node -> {
            if (node instanceof Labeled l && l.getText() != null && !l.getText().isEmpty() && shown(l)) {
                for (Node child : l.getChildrenUnmodifiable()) {
                    if (child instanceof Text t && child.isVisible() && !t.getText().equals(shownText(l))) {
                        cut.add(describe(l) + " shows “" + t.getText() + "” of “" + l.getText() + "”");
                    }
                }
            }
        });
        return cut;
    }

    /** Every shown control that reaches outside the window or outside the nearest pane that clips it. */
    static List<String> clippedControls(Scene scene) {
        List<String> clipped = new ArrayList<>();
        visit(scene.getRoot(), node -> {
            if (node instanceof Control c && shown(c) && !scrolls(c) && !insideComboBox(c)) {
                Bounds b = c.localToScene(c.getBoundsInLocal());
                Bounds limit = clipOf(c, scene);
                if (b.getWidth() < 1 || b.getMinX() < limit.getMinX() - 1 || b.getMaxX() > limit.getMaxX() + 1
                        || b.getMinY() < limit.getMinY() - 1 || b.getMaxY() > limit.getMaxY() + 1) {
                    clipped.add("%s at x %.0f..%.0f, y %.0f..%.0f outside %.0f..%.0f, %.0f..%.0f".formatted(describe(c),
                            b.getMinX(), b.getMaxX(), b.getMinY(), b.getMaxY(), limit.getMinX(), limit.getMaxX(),
                            limit.getMinY(), limit.getMaxY()));
                }
            }
        });
        return clipped;
    }

    /** Every axis label of a shown chart that is longer than its axis (drawn beyond the chart: "(log sca"). */
    static List<String> cutAxisLabels(Scene scene) {
        List<String> cut = new ArrayList<>();
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB).createGraphics();
        for (ChartPane pane : charts(scene)) {
            JFreeChart chart = pane.chart();
            if (!(chart.getPlot() instanceof XYPlot plot) || pane.dataArea() == null) {
                continue;
            }
            for (int i = 0; i < plot.getDomainAxisCount(); i++) {
                check(cut, chart, g, plot.getDomainAxis(i), pane.dataArea().getWidth());
            }
            for (int i = 0; i < plot.getRangeAxisCount(); i++) {
                check(cut, chart, g, plot.getRangeAxis(i), pane.dataArea().getHeight());
            }
            for (Object t : chart.getSubtitles()) {
                if (t instanceof PaintScaleLegend legend) {
                    check(cut, chart, g, legend.getAxis(), pane.getWidth());
                }
            }
        }
        g.dispose();
        return cut;
    }

    private static void check(List<String> cut, JFreeChart chart, Graphics2D g, Axis axis, double length) {
        if (axis == null || axis.getLabel() == null) {
            return;
        }
        FontMetrics metrics = g.getFontMetrics(axis.getLabelFont());
        int width = metrics.stringWidth(axis.getLabel());
        if (width > length) {
            cut.add("axis “%s” of “%s” is %d px long on a %.0f px axis".formatted(axis.getLabel(),
                    chart.getTitle() == null ? "" : chart.getTitle().getText(), width, length));
        }
    }

    /** The charts shown in the scene, each with a chart. */
    static List<ChartPane> charts(Scene scene) {
        List<ChartPane> panes = new ArrayList<>();
        visit(scene.getRoot(), node -> {
            if (node instanceof ChartPane p && p.chart() != null && shown(p)) {
                panes.add(p);
            }
        });
        return panes;
    }

    /** True when every shown chart's image is of its current chart at its current size. */
    static boolean chartsSettled(Scene scene) {
        return charts(scene).stream().allMatch(ChartPane::settled);
    }

    /** The colour bar of a heatmap chart. */
    static PaintScaleLegend colourBar(JFreeChart chart) {
        return HeatmapChart.colourBarOf(chart);
    }

    static void visit(Node node, Consumer<Node> action) {
        action.accept(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                visit(child, action);
            }
        }
    }

    /** Visible with all its ancestors, and in a scene. */
    static boolean shown(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return node.getScene() != null;
    }

    /** Inside a list, table (rows or header) or scroll pane: outside the viewport is scrolled, not clipped. */
    private static boolean scrolls(Node node) {
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            if (n instanceof VirtualFlow<?> || n instanceof ScrollPane || n instanceof TableHeaderRow) {
                return true;
            }
        }
        return false;
    }

    /** A box's own parts (its cell, its unshown list) are checked as the box. */
    private static boolean insideComboBox(Node node) {
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            if (n instanceof javafx.scene.control.ComboBoxBase<?>) {
                return true;
            }
        }
        return false;
    }

    /** The scene bounds of the nearest ancestor that clips its content, or the window. */
    private static Bounds clipOf(Node node, Scene scene) {
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            if (n.getClip() != null) {
                return n.localToScene(n.getClip().getBoundsInParent());
            }
        }
        return new javafx.geometry.BoundingBox(0, 0, scene.getWidth(), scene.getHeight());
    }

    /** The text a labeled control would draw in full: mnemonic underscores are not drawn. */
    private static String shownText(Labeled l) {
        return l.isMnemonicParsing() ? l.getText().replaceFirst("_(?=.)", "") : l.getText();
    }

    private static String describe(Node n) {
        String id = n.getId() == null ? "" : "#" + n.getId() + " ";
        String text = n instanceof Labeled l ? " “" + l.getText() + "”" : "";
        return id + n.getClass().getSimpleName() + text;
    }
}
