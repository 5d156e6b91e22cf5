package dev.qvit.app.fx;

import java.util.function.LongConsumer;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.controlsfx.control.StatusBar;

/**
 * Time at the bottom of the window: a slider over the kept probe snapshots (replaying one drives every view;
 * "live" follows the newest) and the status bar of the running task (progress, images/s, ETA). FX thread only.
 */
public final class TimelineBar extends VBox {
    private final Slider slider = new Slider(0, 0, 0);
    private final ToggleButton live = new ToggleButton("live");
    private final Label position = new Label("step –");
    private final StatusBar status = new StatusBar();
    private RunState state;
    private boolean updating;

    /** {@code onStep} receives the selected snapshot's step, or -1 for live. */
    public TimelineBar(LongConsumer onStep) {
        slider.setId("stepSlider");
        live.setId("live");
        live.setSelected(true);
        slider.setMajorTickUnit(1);
        slider.setBlockIncrement(1);
        slider.setSnapToTicks(true);
        HBox.setHgrow(slider, Priority.ALWAYS);
        position.setMinWidth(170);
        slider.valueProperty().addListener((o, a, b) -> {
            if (updating || state == null || state.snapshotCount() == 0) {
                return;
            }
            int i = (int) Math.round(b.doubleValue());
            boolean atEnd = i >= state.snapshotCount() - 1;
            live.setSelected(atEnd);
            onStep.accept(atEnd ? -1 : state.snapshot(i).step());
        });
        live.setOnAction(e -> {
            if (live.isSelected()) {
                onStep.accept(-1);
            } else if (state != null && state.snapshotCount() > 0) {
                onStep.accept(state.snapshot((int) Math.round(slider.getValue())).step());
            }
        });
        HBox row = new HBox(8, new Label("step"), slider, position, live);
        row.setAlignment(Pos.CENTER_LEFT);
        row.setPadding(new Insets(4, 10, 2, 10));
        status.setText("ready");
        status.setId("statusBar");
        getChildren().addAll(row, status);
    }

    /** Moves the slider to the shown snapshot without firing. */
    public void show(RunState runState, long selectedStep) {
        this.state = runState;
        updating = true;
        try {
            int n = runState.snapshotCount();
            slider.setMax(Math.max(0, n - 1));
            slider.setDisable(n < 2);
            int i = runState.indexAt(selectedStep);
            slider.setValue(Math.max(0, i));
            live.setSelected(selectedStep < 0);
            position.setText(i < 0 ? "step –" : String.format("step %d (epoch %d) · %d/%d",
                    runState.snapshot(i).step() + 1, runState.snapshot(i).epoch() + 1, i + 1, n));
        } finally {
            updating = false;
        }
    }

    public StatusBar status() {
        return status;
    }

    public Slider slider() {
        return slider;
    }
}
