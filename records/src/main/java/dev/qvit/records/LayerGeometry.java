package dev.qvit.records;

import java.util.Arrays;

/**
 * How one block's attention lies over the image: H heads attend within windows of N tokens, W windows per image
 * (one for a ViT, whose window is the image with its cls token; Swin's windows of its stage's patch grid), and each
 * of the W x N tokens stands for one patch of the block's grid of {@code gridSide} x {@code gridSide} patches.
 *
 * @param block        the block's name in the model ("blocks.3", Swin's "layers.1.blocks.0"): its quantizers' prefix
 * @param heads        H
 * @param tokens       N, tokens per window (a ViT's cls token included)
 * @param windows      W per image
 * @param gridSide     side of the block's patch grid
 * @param patchOfToken [W, N] row-major: the patch (row-major on the grid) of each window token, -1 for a cls token
 */
public record LayerGeometry(String block, int heads, int tokens, int windows, int gridSide, int[] patchOfToken) {
    public LayerGeometry {
        java.util.Objects.requireNonNull(block, "block");
        if (heads < 0 || tokens < 0 || windows < 1 || gridSide < 0 || patchOfToken.length != windows * tokens) {
            throw new IllegalArgumentException("a layer's geometry needs heads, tokens >= 0, windows >= 1 and a patch"
                    + " for each of its windows x tokens");
        }
        for (int p : patchOfToken) {
            if (p < -1 || p >= gridSide * gridSide) {
                throw new IllegalArgumentException("patch " + p + " is not on a " + gridSide + "x" + gridSide + " grid");
            }
        }
        patchOfToken = patchOfToken.clone();
    }

    /**
     * A ViT block: one window of the cls token then every patch row by row (on the smallest square grid that holds
     * them: {@code tokens - 1} is a square for every model of ours).
     */
    public static LayerGeometry global(String block, int heads, int tokens) {
        int side = (int) Math.ceil(Math.sqrt(Math.max(0, tokens - 1)));
        int[] patch = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            patch[t] = t - 1;
        }
        return new LayerGeometry(block, heads, tokens, 1, side, patch);
    }

    /** A ViT's block {@code layer} ("blocks.<layer>"). */
    public static LayerGeometry global(int layer, int heads, int tokens) {
        return global("blocks." + layer, heads, tokens);
    }

    /** The name of one of this block's attention quantizers, e.g. "blocks.0.attn.q_quant". */
    public String quantizerName(Tensor tensor) {
        return block + ".attn." + tensor.symbol() + "_quant";
    }

    @Override
    public int[] patchOfToken() {
        return patchOfToken.clone();
    }

    public int patchOf(int window, int token) {
        return patchOfToken[window * tokens + token];
    }

    /** Whether token 0 of the (single) window is a cls token. */
    public boolean hasClassToken() {
        return tokens > 0 && patchOfToken[0] == -1;
    }

    /** Floats of one image's attention in this layer: W x H x N x N. */
    public int attentionPerImage() {
        return windows * heads * tokens * tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerGeometry g && block.equals(g.block) && heads == g.heads && tokens == g.tokens && windows == g.windows
                && gridSide == g.gridSide && Arrays.equals(patchOfToken, g.patchOfToken);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(block, heads, tokens, windows, gridSide) + Arrays.hashCode(patchOfToken);
    }

    @Override
    public String toString() {
        return "LayerGeometry[" + block + ", heads=" + heads + ", tokens=" + tokens + ", windows=" + windows + ", grid=" + gridSide
                + "x" + gridSide + "]";
    }
}
