package dev.qvit.model.vit;

import dev.qvit.model.nn.BatchReduction;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.QuantizerSnapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What training, distillation and probing need of a vision transformer, whatever its architecture (the DeiT-style
 * {@link VisionTransformer}, the Swin Transformer): a traced forward pass, a backward pass that takes extra gradients
 * on each attention block's q and k (DGD's), its parameters and quantizers, and replicas for data-parallel slices.
 * Training thread only.
 */
public interface Backbone {

    /**
     * A forward pass with what every attention block computed.
     *
     * @param logits    [B, classes], a reused buffer
     * @param attention per attention block in forward order, valid until the next forward; a block's "images" are
     *                  the images times its windows (one window for global attention)
     */
    record Traced(INDArray logits, List<AttentionTrace> attention) {
    }

    /** images [B, C, S, S], normalised; training mode initialises quantizers on their first batch. */
    Traced trace(INDArray images, boolean training);

    default INDArray forward(INDArray images, boolean training) {
        return trace(images, training).logits();
    }

    /** Fills every parameter gradient; {@code extra} per attention block (null entries or list: none). */
    void backward(INDArray dLogits, List<QueryKeyGradient> extra);

    default void backward(INDArray dLogits) {
        backward(dLogits, null);
    }

    /** A model that reads this one's weights and quantizer calibration and keeps its own gradients and buffers. */
    Backbone replica();

    /** How this replica's batch statistics (distribution IRM) are summed with the other slices' of a batch. */
    default void synchronizeBatchStatistics(BatchReduction reduction) {
        MultiHeadSelfAttention.rectificationsOf(attentionLayers()).forEach(r -> r.synchronize(reduction));
    }

    /** Takes the last training batch's statistics into the running averages (distribution IRM); once per step. */
    default void updateRunningStatistics() {
        MultiHeadSelfAttention.rectificationsOf(attentionLayers())
                .forEach(dev.qvit.model.quant.InformationRectification::updateRunningStatistics);
    }

    /** {@code replica} (same architecture) with each of its quantizers sharing this model's calibration. */
    default <M extends Backbone> M sharingCalibration(M replica) {
        List<LsqQuantizer> own = replica.quantizers();
        List<LsqQuantizer> shared = quantizers();
        for (int i = 0; i < own.size(); i++) {
            own.get(i).shareCalibrationWith(shared.get(i));
        }
        return replica;
    }

    ParameterSet parameters();

    /** Null for a full-precision model. */
    QuantizationConfig quantization();

    /** Every LSQ quantizer in forward order (empty in full precision). */
    List<LsqQuantizer> quantizers();

    /** A fully quantized model of the same architecture and size, its parameters not yet set. */
    Backbone quantized(QuantizationConfig quantization);

    /** Every attention layer in forward order (the IRM and DGD of a student act on these). */
    List<MultiHeadSelfAttention> attentionLayers();

    /** Attention heads of each attention block, in forward order. */
    List<Integer> headsPerBlock();

    /** Where each attention block's attention lies over the image (heads, windows, tokens), in forward order. */
    List<LayerGeometry> attentionGeometry();

    /**
     * What each attention block saw on the first {@code images} images of a traced batch, as plain arrays; a
     * windowed block's images are its images x windows, image-major.
     */
    default List<LayerProbe> probes(Traced traced, int images) {
        int n = Math.min(images, (int) traced.logits().size(0));
        List<LayerGeometry> geometry = attentionGeometry();
        List<LayerProbe> probes = new ArrayList<>();
        for (int l = 0; l < traced.attention().size(); l++) {
            AttentionTrace a = traced.attention().get(l);
            LayerGeometry g = geometry.get(l);
            int rows = n * g.windows();
            int d = (int) a.query().size(3);
            float[] q = firstRows(a.query(), rows);
            float[] k = firstRows(a.key(), rows);
            float[] attention = firstRows(a.attention(), rows);
            probes.add(quantization() == null
                    ? new LayerProbe(l, n, g.windows(), g.heads(), g.tokens(), d, q, k, attention)
                    : new LayerProbe(l, n, g.windows(), g.heads(), g.tokens(), d, q, k, attention,
                    firstRows(a.rectifiedQuery(), rows), firstRows(a.rectifiedKey(), rows),
                    firstRows(a.usedQuery(), rows), firstRows(a.usedKey(), rows), firstRows(a.usedAttention(), rows)));
        }
        return Collections.unmodifiableList(probes);
    }

    private static float[] firstRows(INDArray perImage, int rows) {
        return perImage.get(NDArrayIndex.interval(0, rows)).dup().castTo(DataType.FLOAT).data().asFloat();
    }

    /**
     * Snapshots of every quantizer after the last forward pass (empty in full precision). Copying out every code
     * takes about half a second on the tiny model, so an interrupted thread stops between two quantizers.
     */
    default List<QuantizerSnapshot> quantizerSnapshots() {
        List<QuantizerSnapshot> out = new ArrayList<>();
        for (LsqQuantizer quantizer : quantizers()) {
            StepCancelledException.throwIfInterrupted();
            out.add(quantizer.snapshot());
        }
        return out;
    }

    int channels();

    int imageSize();

    /** The architecture and size this model was built from. */
    ModelConfig config();

    /** Every linear layer (patch embedding and head included), in forward order. */
    List<DenseLayer> linearLayers();
}
