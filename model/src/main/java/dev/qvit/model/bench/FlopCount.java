package dev.qvit.model.bench;

import dev.qvit.model.vit.VitConfig;

/**
 * Analytic FLOP counts of the ViT's matrix products (2 FLOPs per multiply-add; element-wise work not counted,
 * as is usual for GEMM-bound models).
 */
public final class FlopCount {
    private FlopCount() {
    }

    /** Patch embedding of one image. */
    public static double patchEmbedding(VitConfig c) {
        return 2.0 * c.numPatches() * c.patchPixels() * c.dim();
    }

    /** One block on one image: qkv, q k^T, A v, proj, fc1, fc2. */
    public static double block(VitConfig c) {
        double n = c.numTokens();
        double d = c.dim();
        double dense = 2 * n * d * 3 * d + 2 * n * d * d + 2 * 2 * n * d * c.mlpDim();
        double attention = 2 * 2 * n * n * d;
        return dense + attention;
    }

    public static double head(VitConfig c) {
        return 2.0 * c.dim() * c.numClasses();
    }

    /** Forward pass of one image. */
    public static double forward(VitConfig c) {
        return patchEmbedding(c) + c.depth() * block(c) + head(c);
    }

    /**
     * Forward plus backward of one image: every product costs twice its forward in backward (input and weight
     * gradients), except the patch embedding, whose input (the image) needs no gradient.
     */
    public static double trainingStep(VitConfig c) {
        return forward(c) + 2 * forward(c) - patchEmbedding(c);
    }

    /** Largest GEMM of the model, [B*N, dim] x [dim, mlp]. */
    public static double largestGemm(VitConfig c, int batch) {
        return 2.0 * batch * c.numTokens() * c.dim() * c.mlpDim();
    }
}
