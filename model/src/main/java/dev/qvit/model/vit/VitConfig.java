package dev.qvit.model.vit;

import java.util.Locale;

/**
 * Size of a DeiT-style Vision Transformer (Q-ViT method doc, section 1).
 *
 * @param imageSize  side of the square input image in pixels (28 for Fashion-MNIST)
 * @param patchSize  side of a square patch; the patch embedding is a conv with kernel = stride = patchSize
 * @param channels   input channels (1 for grey images)
 * @param dim        embedding width D
 * @param depth      number of transformer blocks L
 * @param numHeads   attention heads H; headDim d = D / H
 * @param mlpDim     hidden width of each block's MLP
 * @param numClasses classifier outputs
 */
public record VitConfig(int imageSize, int patchSize, int channels, int dim, int depth, int numHeads, int mlpDim,
                        int numClasses) implements ModelConfig {

    public VitConfig {
        require(imageSize > 0 && patchSize > 0 && channels > 0, "image size, patch size and channels must be positive");
        require(imageSize % patchSize == 0,
                "image size %d is not divisible by patch size %d".formatted(imageSize, patchSize));
        require(dim > 0 && depth > 0 && numHeads > 0 && mlpDim > 0, "dim, depth, heads and mlp width must be positive");
        require(dim % numHeads == 0, "dim %d is not divisible by the number of heads %d".formatted(dim, numHeads));
        require(numClasses >= 2, "need at least 2 classes, got " + numClasses);
        require(dim <= 4096 && depth <= 64 && mlpDim <= 16384, "model too large for this workbench (dim <= 4096, depth <= 64)");
    }

    /** 205,066 parameters: dim 64, depth 4, 4 heads of 16, MLP 256. */
    public static VitConfig tiny() {
        return new VitConfig(28, 4, 1, 64, 4, 4, 256, 10);
    }

    /** 678,730 parameters: dim 96, depth 6, 3 heads of 32, MLP 384. */
    public static VitConfig small() {
        return new VitConfig(28, 4, 1, 96, 6, 3, 384, 10);
    }

    /** A preset by name ("tiny", "small"). */
    public static VitConfig named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> tiny();
            case "small" -> small();
            default -> throw new IllegalArgumentException("unknown config '" + name + "': use tiny, small or a custom size");
        };
    }

    @Override
    public String architecture() {
        return "vit";
    }

    @Override
    public VisionTransformer create(long seed) {
        return VisionTransformer.create(this, seed);
    }

    @Override
    public VisionTransformer empty(org.nd4j.linalg.api.buffer.DataType dataType,
                                   dev.qvit.model.quant.QuantizationConfig quantization) {
        return new VisionTransformer(this, dataType, quantization);
    }

    /** "tiny" or "small" when this is a preset, else "custom". */
    @Override
    public String presetName() {
        return equals(tiny()) ? "tiny" : equals(small()) ? "small" : "custom";
    }

    public int headDim() {
        return dim / numHeads;
    }

    public int gridSize() {
        return imageSize / patchSize;
    }

    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Patches plus the cls token. */
    public int numTokens() {
        return numPatches() + 1;
    }

    public int patchPixels() {
        return channels * patchSize * patchSize;
    }

    @Override
    public long parameterCount() {
        long patch = (long) dim * patchPixels() + dim;
        long embed = dim + (long) numTokens() * dim;
        long block = 4L * dim                                  // two LayerNorms
                + 3L * dim * dim + 3L * dim                       // qkv
                + (long) dim * dim + dim                          // proj
                + (long) dim * mlpDim + mlpDim + (long) mlpDim * dim + dim; // fc1, fc2
        long head = 2L * dim + (long) dim * numClasses + numClasses;
        return patch + embed + depth * block + head;
    }

    /** Short human-readable description, e.g. "tiny (D64 L4 H4 MLP256)". */
    @Override
    public String describe() {
        String name = equals(tiny()) ? "tiny " : equals(small()) ? "small " : "";
        return "%s(D%d L%d H%d MLP%d, %dx%d/%d)".formatted(name, dim, depth, numHeads, mlpDim, imageSize, imageSize, patchSize);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
