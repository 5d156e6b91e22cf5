package dev.qvit.model.experiment;

import dev.qvit.model.quant.QuantizationConfig;
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

    public static ModelCost fullPrecision(VitConfig c) {
        return count(c, FULL, FULL);
    }

    public static ModelCost of(VitConfig c, QuantizationConfig q) {
        return count(c, q.bits(), q.embeddingBits());
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
