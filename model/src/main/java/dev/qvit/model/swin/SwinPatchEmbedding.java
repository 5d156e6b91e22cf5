package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedLinear;
import dev.qvit.model.vit.PatchEmbedding;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Swin's patch embedding (timm's PatchEmbed with patch_norm): a conv with kernel = stride = patch, as an unfold and
 * a linear map, then a LayerNorm over each token; no cls token, no absolute position (the blocks' relative bias
 * gives position). In a student the image and the conv weight are quantized at the embedding bits, as in the ViT.
 * Training thread only.
 */
public final class SwinPatchEmbedding {
    private final SwinConfig config;
    private final LsqQuantizer imageQuantizer;   // null in full precision
    private final DenseLayer projection;
    private final LayerNorm norm;
    private final Buffers buffers;

    public SwinPatchEmbedding(ParameterSet params, SwinConfig config, QuantizationConfig quant) {
        this.config = config;
        this.imageQuantizer = quant == null ? null
                : LsqQuantizer.forActivation(params, "patch_embed.input_quant", quant.embeddingBits(), config.channels(), 1);
        this.projection = quant == null ? new Linear(params, "patch_embed.proj", config.patchPixels(), config.embedDim())
                : new QuantizedLinear(params, "patch_embed.proj", config.patchPixels(), config.embedDim(),
                quant.embeddingBits(), false);
        this.norm = new LayerNorm(params, "patch_embed.norm", config.embedDim(), SwinBlock.LAYER_NORM_EPS);
        this.buffers = params.buffers();
    }

    /** PyTorch's conv default for the projection (timm leaves it), a unit LayerNorm. */
    public void init(Random random) {
        if (projection instanceof Linear linear) {
            linear.initPyTorchDefault(random);
        }
        norm.init();
    }

    /** images [B, C, S, S] -> tokens [B*g*g, D] in raster order. */
    public INDArray forward(INDArray input, boolean training) {
        INDArray images = imageQuantizer == null ? input : imageQuantizer.forward(input, training);
        int grid = config.resolution(0);
        INDArray patches = buffers.get("patches", images.size(0) * grid * grid, config.patchPixels());
        PatchEmbedding.unfold(images, config.patchSize(), patches);
        return norm.forward(projection.forward(patches, training));
    }

    /** dTokens [B*g*g, D]: the gradients of the conv and the norm (and of the image quantizer in a student). */
    public void backward(INDArray dTokens) {
        INDArray dEmbedded = norm.backward(dTokens);
        if (imageQuantizer == null) {
            projection.backwardParametersOnly(dEmbedded);
            return;
        }
        INDArray dPatches = projection.backward(dEmbedded);
        int b = (int) (dTokens.rows() / ((long) config.resolution(0) * config.resolution(0)));
        INDArray dImage = buffers.get("dimage", b, config.channels(), config.imageSize(), config.imageSize());
        PatchEmbedding.fold(dPatches, config.patchSize(), dImage);
        imageQuantizer.backward(dImage);
    }

    public LsqQuantizer imageQuantizer() {
        return imageQuantizer;
    }

    public DenseLayer projection() {
        return projection;
    }
}
