package dev.qvit.viz.fx;

import java.util.function.BiConsumer;
import javafx.scene.control.ComboBox;
import javafx.scene.layout.HBox;

/** Layer and head selectors ("layer 2", "head 1"), filled for the model's size. FX thread only. */
public final class HeadPicker extends HBox {
    private final ComboBox<Integer> layer = new ComboBox<>();
    private final ComboBox<Integer> head = new ComboBox<>();
    private boolean updating;

    public HeadPicker(BiConsumer<Integer, Integer> onPick) {
        super(6);
        layer.setId("layerPicker");
        head.setId("headPicker");
        layer.setMinWidth(64);
        head.setMinWidth(64);
        getChildren().addAll(WorkbenchView.fixed("layer"), layer, WorkbenchView.fixed("head"), head);
        setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        layer.setOnAction(e -> fire(onPick));
        head.setOnAction(e -> fire(onPick));
    }

    private void fire(BiConsumer<Integer, Integer> onPick) {
        if (!updating && layer.getValue() != null && head.getValue() != null) {
            onPick.accept(layer.getValue(), head.getValue());
        }
    }

    /** Shows the selection without firing; the head list is the selected layer's (Swin's stages differ). */
    public void set(int[] headsPerLayer, int selectedLayer, int selectedHead) {
        updating = true;
        try {
            fill(layer, headsPerLayer.length);
            fill(head, headsPerLayer.length == 0 ? 0 : headsPerLayer[selectedLayer]);
            layer.setValue(selectedLayer);
            head.setValue(selectedHead);
        } finally {
            updating = false;
        }
    }

    private static void fill(ComboBox<Integer> box, int count) {
        if (box.getItems().size() != count) {
            box.getItems().clear();
            for (int i = 0; i < count; i++) {
                box.getItems().add(i);
            }
        }
    }
}
