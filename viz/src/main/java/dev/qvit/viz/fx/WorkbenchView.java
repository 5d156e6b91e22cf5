package dev.qvit.viz.fx;

import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.util.Duration;

/**
 * A view of the workbench: draws {@link ViewData} for the shared {@link Selection} and reports the selections a
 * user makes inside it. Redraws only while it is visible; a hidden view draws once it is shown again. FX thread only.
 */
public abstract class WorkbenchView extends BorderPane {
    private ViewData data = ViewData.empty();
    private Selection selection = Selection.initial();
    private boolean stale = true;
    private boolean active = true;
    private Consumer<Selection> onSelect = s -> { };
    protected Consumer<String> errors = s -> { };
    private Consumer<String> news = s -> { };

    protected WorkbenchView() {
        setPadding(new Insets(6));
    }

    /** New data or selection; redraws now if the view is active. */
    public final void show(ViewData newData, Selection newSelection) {
        this.data = newData;
        this.selection = newSelection;
        stale = true;
        if (active) {
            redraw();
        }
    }

    /** Only an active view redraws; activating a stale view redraws it. */
    public final void setActive(boolean isActive) {
        this.active = isActive;
        if (active && stale) {
            redraw();
        }
    }

    private void redraw() {
        stale = false;
        draw(data, selection);
    }

    protected abstract void draw(ViewData data, Selection selection);

    /** Handler of selections made inside the view (layer, head, image, tensor, stage). */
    public void setOnSelect(Consumer<Selection> handler) {
        this.onSelect = handler;
    }

    public void setErrorHandler(Consumer<String> handler) {
        this.errors = handler;
    }

    /** Where the view's charts say what went well (an export). */
    public void setStatusHandler(Consumer<String> handler) {
        this.news = handler;
    }

    protected void select(Selection s) {
        if (!s.equals(selection)) {
            onSelect.accept(s);
        }
    }

    protected Selection selection() {
        return selection;
    }

    protected ViewData data() {
        return data;
    }

    /** The chart that Ctrl+E exports: the view's main chart. */
    public abstract ChartPane mainChart();

    /** A label whose hover explains how its number is computed. */
    public static Label readout(String formula) {
        Label label = new Label("–");
        label.getStyleClass().add("readout");
        Tooltip tip = new Tooltip(formula);
        tip.setWrapText(true);
        tip.setMaxWidth(420);
        tip.setShowDelay(Duration.millis(250));
        label.setTooltip(tip);
        return label;
    }

    /** A view's bar of pickers: its groups wrap to a second line rather than being cut when the view is narrow. */
    public static FlowPane toolbar(Node... groups) {
        FlowPane bar = new FlowPane(12, 4, groups);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        bar.setPadding(new Insets(0, 0, 4, 0));
        for (Node n : groups) {
            if (n instanceof Region r) {
                r.setMinWidth(Region.USE_PREF_SIZE);
            }
        }
        return bar;
    }

    /** A label that never shrinks below its text. */
    public static Label fixed(String text) {
        Label l = new Label(text);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        return l;
    }

    protected ChartPane chartPane() {
        ChartPane pane = new ChartPane();
        pane.setErrorHandler(m -> errors.accept(m));
        pane.setStatusHandler(m -> news.accept(m));
        return pane;
    }
}
