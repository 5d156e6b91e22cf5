package dev.qvit.model.experiment;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.ModelCost;

/**
 * Size and bit operations of one image through the ViT, counted analytically. The counting rule:
 * <ul>
 *   <li>weights: the block linears' weight matrices (qkv, proj, fc1, fc2) at b bits; the patch embedding's and the
 *       head's weight matrices at the embedding bits (8); biases, layer norms, the class token and the position
 *       embedding at 32 bits; the quantizers' steps and zero points and IRM's γ/β (under 1 % of the parameters) are
 *       not counted;</li>
 *   <li>activations: every input of a matrix product as it enters it: per block the qkv input, q, k, v, the
 *       attention probabilities, the proj, fc1 and fc2 inputs at b bits; the image patches and the head's input at
 *       the embedding bits;</li>
 *   <li>BOPs: multiply-adds of every matrix product (qkv, q k^T, A v, proj, fc1, fc2, the patch embedding, the head)
 *       times the bits of its two operands; element-wise work (softmax, GELU, norms, quantizers) is not counted.</li>
 * </ul>
 * The full-precision model is the same count at 32 bits throughout.
 */
public final class ModelCosts {
    private static final int FULL = 32;

    private ModelCosts() {
    }

    public static ModelCost fullPrecision(ModelConfig c) {
        return count(c, FULL, FULL);
    }

    public static ModelCost of(ModelConfig c, QuantizationConfig q) {
        return count(c, q.bits(), q.embeddingBits());
    }

    private static ModelCost count(ModelConfig c, int bits, int edgeBits) {
        if (c instanceof SwinConfig swin) {
            return count(swin, bits, edgeBits);
        }
        return count((VitConfig) c, bits, edgeBits);
    }

    /**
     * The same count for a Swin: per stage of L tokens of width D in W windows of n tokens, each block's linears
     * and attention as the ViT's (attention within windows: W n^2 probabilities per head), the relative position
     * tables and layer norms in full precision, patch merging (4D to 2D, no bias) at b bits.
     */
    private static ModelCost count(SwinConfig c, int bits, int edgeBits) {
        double weightBits = 0;
        double activationBits = 0;
        double bops = 0;
        for (int s = 0; s < c.stages(); s++) {
            double l = (double) c.resolution(s) * c.resolution(s);
            double d = c.dim(s);
            double m = d * c.mlpRatio();
            double n = (double) c.window(s) * c.window(s);
            double windows = l / n;
            double h = c.heads(s);
            double table = Math.pow(2 * c.window(s) - 1, 2) * h;
            int depth = c.depths().get(s);
            weightBits += depth * ((4 * d * d + 2 * d * m) * bits + (3 * d + d + m + d + 4 * d + table) * FULL);
            activationBits += depth * (l * d + 3 * l * d + windows * h * n * n + l * d + l * d + l * m) * bits;
            bops += depth * (l * d * 3 * d + 2 * windows * n * n * d + l * d * d + 2 * l * d * m) * bits * bits;
            if (s < c.stages() - 1) {                                         // patch merging: norm(4D), 4D -> 2D
                weightBits += 4 * d * 2 * d * bits + 2 * 4 * d * FULL;
                activationBits += l / 4 * 4 * d * bits;
                bops += l / 4 * 4 * d * 2 * d * bits * bits;
            }
        }
        double d0 = c.dim(0);
        double last = c.features();
        double patches = (double) c.resolution(0) * c.resolution(0);
        weightBits += ((double) c.patchPixels() * d0 + last * c.numClasses()) * edgeBits
                + (d0 + 2 * d0 + 2 * last + c.numClasses()) * FULL;            // biases, patch and final norms
        activationBits += (patches * c.patchPixels() + last) * edgeBits;
        bops += (patches * c.patchPixels() * d0 + last * c.numClasses()) * edgeBits * edgeBits;
        return new ModelCost(weightBits, activationBits, bops);
    }

    private static ModelCost count(VitConfig c, int bits, int edgeBits) {
        double n = c.numTokens();
        double d = c.dim();
        double m = c.mlpDim();
        double blockWeights = 3 * d * d + d * d + 2 * d * m;                   // qkv, proj, fc1, fc2
        double blockOther = 3 * d + d + m + d + 4 * d;                         // biases, two layer norms
        double edgeWeights = (double) c.patchPixels() * d + d * c.numClasses();
        double other = c.depth() * blockOther + d + c.numClasses()             // embedding and head biases
                + d + n * d + 2 * d;                                           // class token, positions, final norm
        double weightBits = c.depth() * blockWeights * bits + edgeWeights * edgeBits + other * FULL;

        double blockInputs = n * d + 3 * n * d + c.numHeads() * n * n + n * d + n * d + n * m;
        double edgeInputs = (double) c.numPatches() * c.patchPixels() + d;
        double activationBits = c.depth() * blockInputs * bits + edgeInputs * edgeBits;

        double blockMacs = n * d * 3 * d + 2 * n * n * d + n * d * d + 2 * n * d * m;
        double edgeMacs = (double) c.numPatches() * c.patchPixels() * d + d * c.numClasses();
        double bops = c.depth() * blockMacs * bits * bits + edgeMacs * edgeBits * edgeBits;
        return new ModelCost(weightBits, activationBits, bops);
    }
}
