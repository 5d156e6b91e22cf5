package dev.qvit.model.vit;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Softmax;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.nn.fused.AttentionKernel;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.quant.AttentionQuantizers;
import dev.qvit.model.quant.QuantizationConfig;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head self-attention, A = softmax(q k^T / sqrt(d)), out = Proj(A v), batched over all images and heads
 * (no Java loop over samples or heads). In a quantized student (method doc section 8, "order in attention"):
 * qkv -> split heads -> IRM(q), IRM(k) -> quantize q, k, v -> scores -> softmax -> quantize A -> A v -> proj.
 * In float32 the core (scores with softmax, A v, and their backward) runs fused per head ({@link AttentionKernel});
 * ND4J's batched products are the reference path. With a {@link ScoreBias} (Swin's window attention: "images" are
 * then images x windows) its term is added to the scores before the softmax, on either path. Training thread only.
 */
public final class MultiHeadSelfAttention {
    private final int dim;
    private final int numHeads;
    private final int headDim;
    private final double scale;
    private final DenseLayer qkv;
    private final DenseLayer proj;
    private final AttentionQuantizers quantizers;   // null in full precision
    private final ScoreBias scoreBias;              // null: none
    private final Buffers buffers;
    private INDArray query;          // raw q [B, H, N, d]
    private INDArray key;            // raw k [B, H, N, d]
    private INDArray value;          // raw v [B, H, N, d]
    private INDArray rectifiedQuery; // q after IRM (= raw q without IRM)
    private INDArray rectifiedKey;
    private INDArray usedQuery;      // what the scores use: after IRM and quantizer
    private INDArray usedKey;
    private INDArray usedValue;
    private INDArray attention;      // softmax probabilities [B, H, N, N]
    private INDArray usedAttention;  // after the quantizer
    private AttentionKernel core;    // null: ND4J's products

    public MultiHeadSelfAttention(ParameterSet params, String name, int dim, int numHeads) {
        this(params, name, dim, numHeads, null);
    }

    public MultiHeadSelfAttention(ParameterSet params, String name, int dim, int numHeads, QuantizationConfig quant) {
        this(params, name, dim, numHeads, quant, null);
    }

    /** Attention whose scores get {@code scoreBias} added before the softmax (null: none). */
    public MultiHeadSelfAttention(ParameterSet params, String name, int dim, int numHeads, QuantizationConfig quant,
                                  ScoreBias scoreBias) {
        this.dim = dim;
        this.scoreBias = scoreBias;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.scale = 1.0 / Math.sqrt(headDim);
        this.qkv = QuantizationConfig.dense(quant, params, name + ".qkv", dim, 3 * dim);
        this.proj = QuantizationConfig.dense(quant, params, name + ".proj", dim, dim);
        this.quantizers = quant == null ? null : AttentionQuantizers.create(params, name, quant, numHeads, headDim);
        this.buffers = params.buffers();
        useKernels(Kernels.path());
    }

    /** Runs the attention core on the given kernel path from now on (the tests compare the paths). */
    public MultiHeadSelfAttention useKernels(Kernels.Path path) {
        core = buffers.dataType() == DataType.FLOAT ? Kernels.attention(path, headDim) : null;
        return this;
    }

    public void init(Random random) {
        for (DenseLayer layer : new DenseLayer[] {qkv, proj}) {
            if (layer instanceof Linear linear) {
                linear.initTransformer(random);
            }
        }
        if (quantizers != null) {
            quantizers.initRectification();
        }
    }

    /** The output of a layer and what its attention computed. */
    public record Attended(INDArray output, AttentionTrace trace) {
    }

    /** x [B*N, D] for a batch of {@code batch} images -> [B*N, D] (training mode). */
    public INDArray forward(INDArray x, int batch) {
        return attend(x, batch, true).output();
    }

    /** x [B*N, D] for a batch of {@code batch} images -> [B*N, D], with the trace of q, k and attention. */
    public Attended attend(INDArray x, int batch, boolean training) {
        int tokens = (int) (x.rows() / batch);
        long bh = (long) batch * numHeads;
        INDArray qkvOut = qkv.forward(x, training);                                         // [B*N, 3D]
        INDArray heads = buffers.get("heads", 3, batch, numHeads, tokens, headDim);         // [3, B, H, N, d]
        if (core != null && FloatMemory.isDense(qkvOut)) {
            core.toHeads(memory(qkvOut), batch, tokens, 3, numHeads, headDim, memory(heads));
        } else {
            heads.assign(qkvOut.reshape(batch, tokens, 3, numHeads, headDim).permute(2, 0, 3, 1, 4));
        }
        query = heads.slice(0);
        key = heads.slice(1);
        value = heads.slice(2);
        quantizeQueryKeyValue(training);
        attention = buffers.get("attn", batch, numHeads, tokens, tokens);                  // [B, H, N, N]
        INDArray term = scoreBias == null ? null : scoreBias.term();                        // [P, N*N]
        if (core != null && term == null) {
            core.scores(memory(usedQuery), memory(usedKey), (int) bh, tokens, headDim, (float) scale,
                    memory(attention));
        } else if (core != null) {
            core.biasedScores(memory(usedQuery), memory(usedKey), memory(term), (int) term.rows(), (int) bh, tokens,
                    headDim, (float) scale, memory(attention));
        } else {
            INDArray scores = buffers.get("scores", bh, tokens, tokens);                   // [B*H, N, N]
            Tensors.matmul(perHead(usedQuery), perHead(usedKey), scores, false, true, scale); // q k^T / sqrt(d)
            if (term != null) {
                INDArray groups = scores.reshape(scores.length() / term.length(), term.length()); // [B*H/P, P*N*N]
                Tensors.addRow(groups, term.reshape(term.length()), groups);
            }
            Softmax.forward(scores.reshape(bh * tokens, tokens), attention.reshape(bh * tokens, tokens));
        }
        usedAttention = quantizers == null ? attention : quantizers.attention().forward(attention, training);
        INDArray context = buffers.get("ctx", bh, tokens, headDim);                        // [B*H, N, d]
        if (core != null) {
            core.context(memory(usedAttention), memory(usedValue), (int) bh, tokens, headDim, memory(context));
        } else {
            Tensors.matmul(perHead(usedAttention), perHead(usedValue), context, false, false, 1.0);
        }
        INDArray merged = buffers.get("merged", batch, tokens, numHeads, headDim);          // [B, N, H, d]
        if (core != null) {
            core.fromHeads(memory(context), batch, tokens, 1, numHeads, headDim, memory(merged));
        } else {
            merged.assign(context.reshape(batch, numHeads, tokens, headDim).permute(0, 2, 1, 3));
        }
        INDArray out = proj.forward(merged.reshape((long) batch * tokens, dim), training);
        return new Attended(out, new AttentionTrace(query, key, rectifiedQuery, rectifiedKey, usedQuery, usedKey,
                attention, usedAttention));
    }

    private void quantizeQueryKeyValue(boolean training) {
        if (quantizers == null) {
            rectifiedQuery = usedQuery = query;
            rectifiedKey = usedKey = key;
            usedValue = value;
            return;
        }
        rectifiedQuery = quantizers.queryRectification() == null ? query
                : quantizers.queryRectification().forward(query, training);
        rectifiedKey = quantizers.keyRectification() == null ? key
                : quantizers.keyRectification().forward(key, training);
        usedQuery = quantizers.query().forward(rectifiedQuery, training);
        usedKey = quantizers.key().forward(rectifiedKey, training);
        usedValue = quantizers.value().forward(value, training);
    }

    /** dy [B*N, D] -> dx [B*N, D]; sets the gradients of qkv, proj, IRM and the quantizers. */
    public INDArray backward(INDArray dy) {
        return backward(dy, null);
    }

    /**
     * As {@link #backward(INDArray)}, with {@code extra} gradients on the used q and k (null: none) added to those
     * that flow back from the output.
     */
    public INDArray backward(INDArray dy, QueryKeyGradient extra) {
        int batch = (int) query.size(0);
        int tokens = (int) query.size(2);
        long bh = (long) batch * numHeads;
        INDArray dMerged = proj.backward(dy);                                               // [B*N, D]
        INDArray dContext = buffers.get("dctx", batch, numHeads, tokens, headDim);          // [B, H, N, d]
        if (core != null && FloatMemory.isDense(dMerged)) {
            core.toHeads(memory(dMerged), batch, tokens, 1, numHeads, headDim, memory(dContext));
        } else {
            dContext.assign(dMerged.reshape(batch, tokens, numHeads, headDim).permute(0, 2, 1, 3));
        }
        INDArray dc = perHead(dContext);
        INDArray dUsedAttention = buffers.get("dattn", batch, numHeads, tokens, tokens);
        INDArray dHeads = buffers.get("dheads", 3, batch, numHeads, tokens, headDim);       // [3, B, H, N, d]
        INDArray dUsedValue = quantizers == null ? dHeads.slice(2) : buffers.get("dv", batch, numHeads, tokens, headDim);
        if (core != null) {                                                                 // dA = dctx v^T, dv
            core.contextBackward(memory(usedAttention), memory(usedValue), memory(dContext), (int) bh, tokens,
                    headDim, memory(dUsedAttention), memory(dUsedValue));
        } else {
            Tensors.matmul(dc, perHead(usedValue), perHead(dUsedAttention), false, true, 1.0);
            Tensors.matmul(perHead(usedAttention), dc, perHead(dUsedValue), true, false, 1.0);
        }
        INDArray dAttention = quantizers == null ? dUsedAttention : quantizers.attention().backward(dUsedAttention);
        INDArray dUsedQuery = quantizers == null ? dHeads.slice(0) : buffers.get("dq", batch, numHeads, tokens, headDim);
        INDArray dUsedKey = quantizers == null ? dHeads.slice(1) : buffers.get("dk", batch, numHeads, tokens, headDim);
        if (core != null) {
            if (scoreBias != null) {
                INDArray dBias = buffers.zeros("dbias", numHeads, (long) tokens * tokens);  // [H, N*N]
                core.biasGradient(memory(attention), memory(dAttention), (int) bh, tokens, numHeads, memory(dBias));
                scoreBias.backward(dBias);
            }
            core.scoresBackward(memory(attention), memory(dAttention), memory(usedQuery), memory(usedKey), (int) bh,
                    tokens, headDim, (float) scale, memory(dUsedQuery), memory(dUsedKey));
        } else {
            INDArray dScores = buffers.get("dscores", bh, tokens, tokens);
            Softmax.backward(attention.reshape(bh * tokens, tokens), dAttention.reshape(bh * tokens, tokens),
                    dScores.reshape(bh * tokens, tokens), buffers.get("rowsums", bh * tokens));
            if (scoreBias != null) {
                long perHead = (long) numHeads * tokens * tokens;
                scoreBias.backward(Tensors.sumOverRows(dScores.reshape(dScores.length() / perHead, perHead),
                        buffers.get("dbias", numHeads, (long) tokens * tokens).reshape(perHead))
                        .reshape(numHeads, (long) tokens * tokens));
            }
            Tensors.matmul(dScores, perHead(usedKey), perHead(dUsedQuery), false, false, scale);
            Tensors.matmul(dScores, perHead(usedQuery), perHead(dUsedKey), true, false, scale);
        }
        if (extra != null) {
            Tensors.add(dUsedQuery, extra.query(), dUsedQuery);
            Tensors.add(dUsedKey, extra.key(), dUsedKey);
        }
        if (quantizers != null) {
            dHeads.slice(0).assign(rectifyBackward(quantizers.queryRectification(), quantizers.query().backward(dUsedQuery)));
            dHeads.slice(1).assign(rectifyBackward(quantizers.keyRectification(), quantizers.key().backward(dUsedKey)));
            dHeads.slice(2).assign(quantizers.value().backward(dUsedValue));
        }
        INDArray dQkv = buffers.get("dqkv", (long) batch * tokens, 3L * dim);                // [B*N, 3D]
        if (core != null) {
            core.fromHeads(memory(dHeads), batch, tokens, 3, numHeads, headDim, memory(dQkv));
        } else {
            dQkv.reshape(batch, tokens, 3, numHeads, headDim).permute(2, 0, 3, 1, 4).assign(dHeads);
        }
        return qkv.backward(dQkv);
    }

    private static INDArray rectifyBackward(dev.qvit.model.quant.InformationRectification irm, INDArray d) {
        return irm == null ? d : irm.backward(d);
    }

    /** The memory of a dense buffer (every tensor of the core is one: heads' slices, quantizer outputs). */
    private static FloatMemory memory(INDArray a) {
        return FloatMemory.of(a);
    }

    /** [B, H, N, d] -> [B*H, N, d] view. */
    private static INDArray perHead(INDArray x) {
        return x.reshape(x.size(0) * x.size(1), x.size(2), x.size(3));
    }

    /** Every LSQ quantizer of this layer in forward order: qkv's, q, k, v, A, proj's (none in full precision). */
    public java.util.List<dev.qvit.model.quant.LsqQuantizer> lsqQuantizers() {
        java.util.List<dev.qvit.model.quant.LsqQuantizer> out =
                new java.util.ArrayList<>(dev.qvit.model.quant.QuantizedLinear.quantizersOf(qkv));
        if (quantizers != null) {
            out.addAll(java.util.List.of(quantizers.query(), quantizers.key(), quantizers.value(),
                    quantizers.attention()));
        }
        out.addAll(dev.qvit.model.quant.QuantizedLinear.quantizersOf(proj));
        return out;
    }

    /** The IRM modules of every quantized layer in {@code layers}, in order. */
    public static java.util.List<dev.qvit.model.quant.InformationRectification> rectificationsOf(
            java.util.List<MultiHeadSelfAttention> layers) {
        return layers.stream().filter(a -> a.quantizers != null)
                .flatMap(a -> a.quantizers.rectifications().stream()).toList();
    }

    public AttentionQuantizers quantizers() {
        return quantizers;
    }

    public int numHeads() {
        return numHeads;
    }

    public DenseLayer qkv() {
        return qkv;
    }

    public DenseLayer proj() {
        return proj;
    }
}
