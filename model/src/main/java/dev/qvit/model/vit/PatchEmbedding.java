package dev.qvit.model.vit;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Init;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedLinear;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Tokens x0 = [cls ; PatchEmbed(img)] + pos. The patch conv (kernel = stride = patch) is an unfold followed by a
 * linear map; its weight is stored as PyTorch's conv kernel [D, C, p, p]. Training thread only.
 */
public final class PatchEmbedding {
    private final VitConfig config;
    private final DenseLayer projection;
    private final LsqQuantizer imageQuantizer;   // null in full precision
    private final Parameter clsToken;
    private final Parameter positionEmbedding;
    private final Buffers buffers;

    public PatchEmbedding(ParameterSet params, VitConfig config) {
        this(params, config, null);
    }

    /** In a quantized student the image (per channel) and the conv weight are quantized at embedding bits. */
    public PatchEmbedding(ParameterSet params, VitConfig config, QuantizationConfig quant) {
        this.config = config;
        this.imageQuantizer = quant == null ? null
                : LsqQuantizer.forActivation(params, "patch_embed.input_quant", quant.embeddingBits(), config.channels(), 1);
        this.projection = quant == null ? new Linear(params, "patch_embed", config.patchPixels(), config.dim())
                : new QuantizedLinear(params, "patch_embed", config.patchPixels(), config.dim(), quant.embeddingBits(), false);
        this.clsToken = params.declare("cls_token", false, 1, 1, config.dim());
        this.positionEmbedding = params.declare("pos_embed", false, 1, config.numTokens(), config.dim());
        this.buffers = params.buffers();
    }

    public void init(Random random) {
        if (projection instanceof Linear linear) {
            linear.initPyTorchDefault(random);
        }
        Init.truncatedNormal(clsToken.value(), 0.02, random);
        Init.truncatedNormal(positionEmbedding.value(), 0.02, random);
    }

    /** images [B, C, S, S] -> tokens [B*N, D] (training mode). */
    public INDArray forward(INDArray images) {
        return forward(images, true);
    }

    public INDArray forward(INDArray input, boolean training) {
        INDArray images = imageQuantizer == null ? input : imageQuantizer.forward(input, training);
        int b = (int) images.size(0);
        int n = config.numTokens();
        int d = config.dim();
        INDArray patches = unfold(images, config.patchSize(),
                buffers.get("patches", (long) b * config.numPatches(), config.patchPixels()));    // [B*P, C*p*p]
        INDArray embedded = projection.forward(patches, training);                                   // [B*P, D]
        INDArray tokens = buffers.get("tokens", b, n, d);                                  // [B, N, D]
        tokens.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(clsToken.value().reshape(1, d).broadcast(b, d));
        tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n), NDArrayIndex.all())
                .assign(embedded.reshape(b, config.numPatches(), d));
        INDArray flat = tokens.reshape(b, (long) n * d);
        Tensors.addRow(flat, positionEmbedding.value().reshape((long) n * d), flat);
        return tokens.reshape((long) b * n, d);
    }

    /**
     * dTokens [B*N, D]: sets the gradients of the conv, cls and pos; in a quantized student also those of the image
     * quantizer's step and zero point (the image itself needs no gradient).
     */
    public void backward(INDArray dTokens) {
        int n = config.numTokens();
        int d = config.dim();
        int b = (int) (dTokens.rows() / n);
        INDArray dt = dTokens.reshape(b, n, d);
        Tensors.sumOverRows(dTokens.reshape(b, (long) n * d), positionEmbedding.grad().reshape((long) n * d));
        Tensors.sumOverRows(dt.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()),
                clsToken.grad().reshape(d));
        INDArray dEmbedded = buffers.get("dembedded", b, config.numPatches(), d)
                .assign(dt.get(NDArrayIndex.all(), NDArrayIndex.interval(1, n), NDArrayIndex.all()));
        INDArray dFlat = dEmbedded.reshape((long) b * config.numPatches(), d);
        if (imageQuantizer == null) {
            projection.backwardParametersOnly(dFlat);
            return;
        }
        INDArray dPatches = projection.backward(dFlat);                                    // [B*P, C*p*p]
        INDArray dImage = buffers.get("dimage", b, config.channels(), config.imageSize(), config.imageSize());
        imageQuantizer.backward(fold(dPatches, config.patchSize(), dImage));              // its step and zero point
    }

    /** images [B, C, S, S] -> patches [B*g*g, C*p*p], patches in raster order, each as PyTorch's conv reads it. */
    public static INDArray unfold(INDArray images, int p, INDArray patches) {
        int b = (int) images.size(0);
        int c = (int) images.size(1);
        int g = (int) images.size(2) / p;
        patches.reshape(b, g, g, c, p, p)                                                   // [B, gy, gx, C, py, px]
                .assign(images.reshape(b, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5));
        return patches;
    }

    /** The inverse of {@link #unfold}: patches [B*g*g, C*p*p] -> images [B, C, S, S]. */
    public static INDArray fold(INDArray patches, int p, INDArray images) {
        int b = (int) images.size(0);
        int c = (int) images.size(1);
        int g = (int) images.size(2) / p;
        images.reshape(b, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).assign(patches.reshape(b, g, g, c, p, p));
        return images;
    }

    public LsqQuantizer imageQuantizer() {
        return imageQuantizer;
    }

    public DenseLayer projection() {
        return projection;
    }
}
