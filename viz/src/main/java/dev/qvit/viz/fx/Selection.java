package dev.qvit.viz.fx;

import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.Tensor;

/**
 * The one selection every view shows: layer, head, probe image, tensor (q or k) and pipeline stage.
 */
public record Selection(int layer, int head, int image, Tensor tensor, Stage stage) {

    public static Selection initial() {
        return new Selection(0, 0, 0, Tensor.QUERY, Stage.QUANTIZED);
    }

    public Selection withLayerHead(int l, int h) {
        return new Selection(l, h, image, tensor, stage);
    }

    public Selection withImage(int i) {
        return new Selection(layer, head, i, tensor, stage);
    }

    public Selection withTensor(Tensor t) {
        return new Selection(layer, head, image, t, stage);
    }

    public Selection withStage(Stage s) {
        return new Selection(layer, head, image, tensor, s);
    }

    /** Keeps the selection inside a model of {@code layers} x {@code heads}. */
    public Selection clamp(int layers, int heads, int images) {
        return new Selection(Math.max(0, Math.min(layer, layers - 1)), Math.max(0, Math.min(head, heads - 1)),
                Math.max(0, Math.min(image, images - 1)), tensor, stage);
    }

    /** Clamped to a model whose layers have these heads (Swin's stages differ). */
    public Selection clamp(int[] headsPerLayer, int images) {
        int l = Math.max(0, Math.min(layer, headsPerLayer.length - 1));
        return clamp(headsPerLayer.length, headsPerLayer.length == 0 ? 0 : headsPerLayer[l], images);
    }
}
