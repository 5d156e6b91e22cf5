package dev.qvit.model.swin;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.ModelConfig;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Size of a Swin Transformer (Liu et al. 2021) as timm's {@code SwinTransformer} defines it: patch embedding with
 * a LayerNorm, stages of blocks with (shifted) window attention, patch merging between stages, mean pooling and a
 * linear head.
 *
 * @param imageSize  side of the square input image in pixels
 * @param patchSize  side of a square patch (conv kernel = stride)
 * @param channels   input channels
 * @param embedDim   width of stage 0; each later stage doubles it
 * @param depths     blocks per stage
 * @param numHeads   attention heads per stage
 * @param windowSize side of an attention window in tokens; a stage no larger than the window is one window
 * @param mlpRatio   MLP hidden width over the block width
 * @param numClasses classifier outputs
 */
public record SwinConfig(int imageSize, int patchSize, int channels, int embedDim, List<Integer> depths,
                         List<Integer> numHeads, int windowSize, int mlpRatio, int numClasses) implements ModelConfig {

    public SwinConfig {
        depths = List.copyOf(depths);
        numHeads = List.copyOf(numHeads);
        require(imageSize > 0 && patchSize > 0 && channels > 0 && embedDim > 0 && windowSize > 0 && mlpRatio > 0,
                "image size, patch size, channels, width, window and MLP ratio must be positive");
        require(!depths.isEmpty() && depths.size() == numHeads.size(),
                "give as many head counts as stages (%d stages, %d head counts)".formatted(depths.size(), numHeads.size()));
        require(imageSize % patchSize == 0,
                "image size %d is not divisible by patch size %d".formatted(imageSize, patchSize));
        int grid = imageSize / patchSize;
        for (int s = 0; s < depths.size(); s++) {
            int resolution = grid >> s;
            int dim = embedDim << s;
            require(depths.get(s) > 0 && numHeads.get(s) > 0, "every stage needs at least one block and one head");
            require(dim % numHeads.get(s) == 0,
                    "stage %d: width %d is not divisible by %d heads".formatted(s, dim, numHeads.get(s)));
            require(resolution > 0 && (s == depths.size() - 1 || resolution % 2 == 0),
                    "stage %d: a %dx%d token grid cannot be merged into 2x2 patches".formatted(s, resolution, resolution));
            require(resolution <= windowSize || resolution % windowSize == 0,
                    "stage %d: a %dx%d token grid is not divisible into %dx%d windows"
                            .formatted(s, resolution, resolution, windowSize, windowSize));
        }
        require(numClasses >= 2, "need at least 2 classes, got " + numClasses);
    }

    /**
     * The workbench's Swin for 28x28 images: patch 2 (a 14x14 token grid), window 7, two stages of two blocks,
     * widths 32 and 64 with heads of 16 as in the ViT presets. Stage 0 has 2x2 windows, so its second block's shifted
     * windows and mask take effect; stage 1 (7x7 after merging) is one window, as Swin-T's last stage is at 224
     * pixels. About the ViT tiny's cost per image.
     */
    public static SwinConfig tiny() {
        return new SwinConfig(28, 2, 1, 32, List.of(2, 2), List.of(2, 4), 7, 4, 10);
    }

    @Override
    public String architecture() {
        return "swin";
    }

    /** "swin-tiny" for the preset, else "swin-custom". */
    @Override
    public String presetName() {
        return equals(tiny()) ? "swin-tiny" : "swin-custom";
    }

    /** e.g. "swin-tiny (C32, depths [2, 2], heads [2, 4], window 7, 28x28/2)". */
    @Override
    public String describe() {
        return "%s (C%d, depths %s, heads %s, window %d, %dx%d/%d)".formatted(presetName(), embedDim, depths, numHeads,
                windowSize, imageSize, imageSize, patchSize);
    }

    @Override
    public long parameterCount() {
        return new SwinTransformer(this, DataType.FLOAT).parameters().size();
    }

    @Override
    public SwinTransformer create(long seed) {
        return SwinTransformer.create(this, seed);
    }

    @Override
    public SwinTransformer empty(DataType dataType, QuantizationConfig quantization) {
        return new SwinTransformer(this, dataType, quantization);
    }

    public int stages() {
        return depths.size();
    }

    /** Side of stage s's token grid. */
    public int resolution(int stage) {
        return imageSize / patchSize >> stage;
    }

    /** Token width of stage s. */
    public int dim(int stage) {
        return embedDim << stage;
    }

    public int heads(int stage) {
        return numHeads.get(stage);
    }

    /** Side of stage s's windows: the grid itself when it is no larger than a window (timm). */
    public int window(int stage) {
        return Math.min(windowSize, resolution(stage));
    }

    /** Shift of block i of stage s: half a window on odd blocks, none where the stage is one window (timm). */
    public int shift(int stage, int block) {
        return block % 2 == 0 || resolution(stage) <= windowSize ? 0 : windowSize / 2;
    }

    /** Width of the last stage, the features the head sees. */
    public int features() {
        return dim(stages() - 1);
    }

    public int patchPixels() {
        return channels * patchSize * patchSize;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
