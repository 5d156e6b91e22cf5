package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedLinear;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.vit.AttentionTrace;
import dev.qvit.model.vit.Backbone;
import dev.qvit.model.vit.MultiHeadSelfAttention;
import dev.qvit.model.vit.QueryKeyGradient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Swin Transformer (Liu et al. 2021) as timm's {@code SwinTransformer}: patch embedding with a LayerNorm, stages of
 * {@link SwinBlock}s (window attention, shifted on odd blocks), {@link PatchMerging} after every stage but the
 * last, a final LayerNorm, the mean over tokens and a linear head. Forward and backward are hand-written over the
 * whole batch; parameters keep timm's names. Training thread only.
 */
public final class SwinTransformer implements Backbone {
    private final SwinConfig config;
    private final ParameterSet params;
    private final SwinPatchEmbedding patchEmbedding;
    private final List<List<SwinBlock>> stages = new ArrayList<>();
    private final List<PatchMerging> merges = new ArrayList<>();
    private final LayerNorm norm;
    private final DenseLayer head;
    private final QuantizationConfig quantization;
    private final Buffers buffers;
    private int batch;

    public SwinTransformer(SwinConfig config, DataType dataType) {
        this(config, dataType, null);
    }

    /** A fully quantized student when {@code quantization} is not null (copy a teacher's weights in). */
    public SwinTransformer(SwinConfig config, DataType dataType, QuantizationConfig quantization) {
        this(config, dataType, quantization, null);
    }

    private SwinTransformer(SwinConfig config, DataType dataType, QuantizationConfig quantization,
                            ParameterSet sharedValues) {
        this.config = config;
        this.quantization = quantization;
        this.params = new ParameterSet(dataType);
        this.patchEmbedding = new SwinPatchEmbedding(params, config, quantization);
        for (int s = 0; s < config.stages(); s++) {
            List<SwinBlock> blocks = new ArrayList<>();
            for (int i = 0; i < config.depths().get(s); i++) {
                blocks.add(new SwinBlock(params, "layers." + s + ".blocks." + i, config, s, i, quantization));
            }
            stages.add(Collections.unmodifiableList(blocks));
            if (s < config.stages() - 1) {
                merges.add(new PatchMerging(params, "layers." + s + ".downsample", config.resolution(s),
                        config.dim(s), quantization));
            }
        }
        this.norm = new LayerNorm(params, "norm", config.features(), SwinBlock.LAYER_NORM_EPS);
        this.head = quantization == null ? new Linear(params, "head", config.features(), config.numClasses())
                : new QuantizedLinear(params, "head", config.features(), config.numClasses(),
                quantization.embeddingBits(), true);
        this.buffers = params.buffers();
        params.allocate(sharedValues);
    }

    @Override
    public SwinTransformer replica() {
        return sharingCalibration(new SwinTransformer(config, params.dataType(), quantization, params));
    }

    /** A float32 model initialised from {@code seed}. */
    public static SwinTransformer create(SwinConfig config, long seed) {
        SwinTransformer model = new SwinTransformer(config, DataType.FLOAT);
        model.init(new Random(seed));
        return model;
    }

    /** timm's init: trunc-normal(0.02) linear weights and bias tables, zero biases, unit norms, PyTorch's conv. */
    public void init(Random random) {
        patchEmbedding.init(random);
        for (int s = 0; s < stages.size(); s++) {
            for (SwinBlock block : stages.get(s)) {
                block.init(random);
            }
            if (s < merges.size()) {
                merges.get(s).init(random);
            }
        }
        norm.init();
        if (head instanceof Linear linear) {
            linear.initTransformer(random);
        }
    }

    /** images [B, C, S, S], normalised -> logits [B, classes] (training mode); a reused buffer. */
    public INDArray forward(INDArray images) {
        return trace(images, true).logits();
    }

    /** Every block's attention trace in block order: q, k and A per image x window. */
    @Override
    public Traced trace(INDArray images, boolean training) {
        batch = (int) images.size(0);
        List<AttentionTrace> traces = new ArrayList<>();
        INDArray x = patchEmbedding.forward(images, training);                             // [B*L0, D0]
        for (int s = 0; s < stages.size(); s++) {
            for (SwinBlock block : stages.get(s)) {
                StepCancelledException.throwIfInterrupted();
                MultiHeadSelfAttention.Attended attended = block.attend(x, batch, training);
                traces.add(attended.trace());
                x = attended.output();
            }
            if (s < merges.size()) {
                x = merges.get(s).forward(x, training);                                     // [B*L/4, 2D]
            }
        }
        int tokens = (int) (x.rows() / batch);
        INDArray normed = norm.forward(x).reshape(batch, tokens, config.features());      // [B, L, F]
        INDArray pooled = buffers.get("pooled", batch, config.features());                 // [B, F]
        Nd4j.exec(new Mean(normed, pooled, 1));
        return new Traced(head.forward(pooled, training), Collections.unmodifiableList(traces));
    }

    @Override
    public void backward(INDArray dLogits, List<QueryKeyGradient> extra) {
        INDArray dPooled = head.backward(dLogits);                                         // [B, F]
        int last = stages.size() - 1;
        int tokens = config.resolution(last) * config.resolution(last);
        INDArray dNormed = buffers.zeros("dnormed", batch, tokens, config.features())      // [B, L, F]
                .addi(dPooled.reshape(batch, 1, config.features())).muli(1.0 / tokens);
        INDArray grad = norm.backward(dNormed.reshape((long) batch * tokens, config.features()));
        int index = blockCount();
        for (int s = last; s >= 0; s--) {
            if (s < merges.size()) {
                grad = merges.get(s).backward(grad);
            }
            List<SwinBlock> blocks = stages.get(s);
            for (int i = blocks.size() - 1; i >= 0; i--) {
                StepCancelledException.throwIfInterrupted();
                index--;
                grad = blocks.get(i).backward(grad, extra == null ? null : extra.get(index));
            }
        }
        patchEmbedding.backward(grad);
    }

    /** Blocks over all stages. */
    public int blockCount() {
        return stages.stream().mapToInt(List::size).sum();
    }

    /** Every block in forward order. */
    public List<SwinBlock> blocks() {
        return stages.stream().flatMap(List::stream).toList();
    }

    public List<PatchMerging> merges() {
        return Collections.unmodifiableList(merges);
    }

    @Override
    public SwinConfig config() {
        return config;
    }

    @Override
    public ParameterSet parameters() {
        return params;
    }

    @Override
    public QuantizationConfig quantization() {
        return quantization;
    }

    @Override
    public List<LsqQuantizer> quantizers() {
        List<LsqQuantizer> out = new ArrayList<>();
        if (quantization == null) {
            return out;
        }
        out.add(patchEmbedding.imageQuantizer());
        out.addAll(QuantizedLinear.quantizersOf(patchEmbedding.projection()));
        for (int s = 0; s < stages.size(); s++) {
            for (SwinBlock block : stages.get(s)) {
                out.addAll(block.attention().lsqQuantizers());
                out.addAll(block.mlp().lsqQuantizers());
            }
            if (s < merges.size()) {
                out.addAll(QuantizedLinear.quantizersOf(merges.get(s).reduction()));
            }
        }
        out.addAll(QuantizedLinear.quantizersOf(head));
        return out;
    }

    @Override
    public SwinTransformer quantized(QuantizationConfig quantization) {
        return new SwinTransformer(config, params.dataType(), quantization);
    }

    @Override
    public List<MultiHeadSelfAttention> attentionLayers() {
        return blocks().stream().map(SwinBlock::attention).toList();
    }

    @Override
    public List<DenseLayer> linearLayers() {
        List<DenseLayer> out = new ArrayList<>();
        out.add(patchEmbedding.projection());
        for (int s = 0; s < config.stages(); s++) {
            for (SwinBlock b : stages.get(s)) {
                out.addAll(List.of(b.attention().qkv(), b.attention().proj(), b.mlp().fc1(), b.mlp().fc2()));
            }
            if (s < merges.size()) {
                out.add(merges.get(s).reduction());
            }
        }
        out.add(head());
        return out;
    }

    @Override
    public List<dev.qvit.records.LayerGeometry> attentionGeometry() {
        return blocks().stream().map(SwinBlock::geometry).toList();
    }

    @Override
    public List<Integer> headsPerBlock() {
        List<Integer> heads = new ArrayList<>();
        for (int s = 0; s < config.stages(); s++) {
            heads.addAll(Collections.nCopies(config.depths().get(s), config.heads(s)));
        }
        return Collections.unmodifiableList(heads);
    }

    @Override
    public int channels() {
        return config.channels();
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    public DenseLayer head() {
        return head;
    }

    public SwinPatchEmbedding patchEmbedding() {
        return patchEmbedding;
    }
}
