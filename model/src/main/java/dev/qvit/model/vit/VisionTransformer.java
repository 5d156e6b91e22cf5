package dev.qvit.model.vit;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedLinear;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.ModelSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DeiT-style Vision Transformer (Dosovitskiy et al. 2021; Touvron et al. 2021) as the full-precision model of
 * Q-ViT: patch embedding, {@code depth} pre-norm blocks, final LayerNorm and a linear head on the cls token.
 * Forward and backward are hand-written over the whole batch. Training thread only.
 */
public final class VisionTransformer implements Backbone {
    private final VitConfig config;
    private final ParameterSet params;
    private final PatchEmbedding patchEmbedding;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final DenseLayer head;
    private final QuantizationConfig quantization;
    private final Buffers buffers;
    private int batch;

    public VisionTransformer(VitConfig config, DataType dataType) {
        this(config, dataType, null, null);
    }

    /** A fully quantized student (uninitialised: copy the teacher's weights in, see {@code QuantizedStudent}). */
    public VisionTransformer(VitConfig config, DataType dataType, QuantizationConfig quantization) {
        this(config, dataType, quantization, null);
    }

    /**
     * A replica that reads the weights (and running statistics) of {@code shared}, quantizes with its quantizers'
     * calibration, and keeps its own gradients and buffers.
     */
    public static VisionTransformer replicaOf(VisionTransformer shared) {
        return shared.sharingCalibration(new VisionTransformer(shared.config, shared.params.dataType(),
                shared.quantization, shared.params));
    }

    @Override
    public VisionTransformer replica() {
        return replicaOf(this);
    }


    private VisionTransformer(VitConfig config, DataType dataType, QuantizationConfig quantization,
                              ParameterSet sharedValues) {
        this.config = config;
        this.quantization = quantization;
        this.params = new ParameterSet(dataType);
        this.patchEmbedding = new PatchEmbedding(params, config, quantization);
        for (int l = 0; l < config.depth(); l++) {
            blocks.add(new TransformerBlock(params, "blocks." + l, config, quantization));
        }
        this.norm = new LayerNorm(params, "norm", config.dim(), TransformerBlock.LAYER_NORM_EPS);
        this.head = quantization == null ? new Linear(params, "head", config.dim(), config.numClasses())
                : new QuantizedLinear(params, "head", config.dim(), config.numClasses(), quantization.embeddingBits(), true);
        this.buffers = params.buffers();
        params.allocate(sharedValues);
    }

    /** A float32 model initialised from {@code seed}. */
    public static VisionTransformer create(VitConfig config, long seed) {
        VisionTransformer model = new VisionTransformer(config, DataType.FLOAT);
        model.init(new Random(seed));
        return model;
    }

    /** Method doc section 1: trunc-normal 0.02 weights, zero biases, unit LayerNorms, PyTorch-default patch conv. */
    public void init(Random random) {
        patchEmbedding.init(random);
        for (TransformerBlock block : blocks) {
            block.init(random);
        }
        norm.init();
        if (head instanceof Linear linear) {
            linear.initTransformer(random);
        }
    }

    /** images [B, C, S, S], normalised -> logits [B, classes] (training mode); the result is a reused buffer. */
    public INDArray forward(INDArray images) {
        return forward(images, true);
    }

    @Override
    public Traced trace(INDArray images, boolean training) {
        batch = (int) images.size(0);
        List<AttentionTrace> traces = new ArrayList<>(blocks.size());
        INDArray x = patchEmbedding.forward(images, training);                // [B*N, D]
        for (TransformerBlock block : blocks) {
            StepCancelledException.throwIfInterrupted();
            MultiHeadSelfAttention.Attended attended = block.attend(x, batch, training);
            traces.add(attended.trace());
            x = attended.output();
        }
        INDArray cls = buffers.get("cls", batch, config.dim())              // [B, D]
                .assign(x.reshape(batch, config.numTokens(), config.dim())
                        .get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()));
        return new Traced(head.forward(norm.forward(cls), training), Collections.unmodifiableList(traces));
    }

    @Override
    public void backward(INDArray dLogits, List<QueryKeyGradient> extra) {
        INDArray dCls = norm.backward(head.backward(dLogits));               // [B, D]
        INDArray dx = buffers.zeros("dx", batch, config.numTokens(), config.dim());
        dx.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(dCls);
        INDArray grad = dx.reshape((long) batch * config.numTokens(), config.dim());
        for (int l = blocks.size() - 1; l >= 0; l--) {
            StepCancelledException.throwIfInterrupted();
            grad = blocks.get(l).backward(grad, extra == null ? null : extra.get(l));
        }
        patchEmbedding.backward(grad);
    }

    @Override
    public List<DenseLayer> linearLayers() {
        List<DenseLayer> out = new ArrayList<>();
        out.add(patchEmbedding().projection());
        for (TransformerBlock b : blocks()) {
            out.addAll(List.of(b.attention().qkv(), b.attention().proj(), b.mlp().fc1(), b.mlp().fc2()));
        }
        out.add(head());
        return out;
    }

    @Override
    public List<LayerGeometry> attentionGeometry() {
        return ModelSnapshot.vit(config.depth(), config.numHeads(), config.numTokens());
    }

    @Override
    public List<LsqQuantizer> quantizers() {
        List<LsqQuantizer> out = new ArrayList<>();
        if (quantization == null) {
            return out;
        }
        out.add(patchEmbedding.imageQuantizer());
        out.addAll(QuantizedLinear.quantizersOf(patchEmbedding.projection()));
        for (TransformerBlock block : blocks) {
            out.addAll(block.attention().lsqQuantizers());
            out.addAll(block.mlp().lsqQuantizers());
        }
        out.addAll(QuantizedLinear.quantizersOf(head));
        return out;
    }

    @Override
    public QuantizationConfig quantization() {
        return quantization;
    }

    public DenseLayer head() {
        return head;
    }

    @Override
    public VitConfig config() {
        return config;
    }

    @Override
    public ParameterSet parameters() {
        return params;
    }

    public List<TransformerBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    @Override
    public VisionTransformer quantized(QuantizationConfig quantization) {
        return new VisionTransformer(config, params.dataType(), quantization);
    }

    @Override
    public List<MultiHeadSelfAttention> attentionLayers() {
        return blocks.stream().map(TransformerBlock::attention).toList();
    }

    @Override
    public List<Integer> headsPerBlock() {
        return Collections.nCopies(config.depth(), config.numHeads());
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    public PatchEmbedding patchEmbedding() {
        return patchEmbedding;
    }
}
