package dev.qvit.model.vit;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Softmax;
import dev.qvit.model.nn.Tensors;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head self-attention, A = softmax(q k^T / sqrt(d)), out = Proj(A v), batched over all images and heads
 * (no Java loop over samples or heads). Training thread only.
 */
public final class MultiHeadSelfAttention {
    private final int dim;
    private final int numHeads;
    private final int headDim;
    private final double scale;
    private final Linear qkv;
    private final Linear proj;
    private final Buffers buffers;
    private INDArray query;       // [B, H, N, d]
    private INDArray key;         // [B, H, N, d]
    private INDArray value;       // [B, H, N, d]
    private INDArray attention;   // [B, H, N, N]

    public MultiHeadSelfAttention(ParameterSet params, String name, int dim, int numHeads) {
        this.dim = dim;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.scale = 1.0 / Math.sqrt(headDim);
        this.qkv = new Linear(params, name + ".qkv", dim, 3 * dim);
        this.proj = new Linear(params, name + ".proj", dim, dim);
        this.buffers = new Buffers(params.dataType());
    }

    public void init(Random random) {
        qkv.initTransformer(random);
        proj.initTransformer(random);
    }

    /** x [B*N, D] for a batch of {@code batch} images -> [B*N, D]. */
    public INDArray forward(INDArray x, int batch) {
        int tokens = (int) (x.rows() / batch);
        long bh = (long) batch * numHeads;
        INDArray qkvOut = qkv.forward(x);                                                   // [B*N, 3D]
        INDArray heads = buffers.get("heads", 3, batch, numHeads, tokens, headDim)          // [3, B, H, N, d]
                .assign(qkvOut.reshape(batch, tokens, 3, numHeads, headDim).permute(2, 0, 3, 1, 4));
        query = heads.slice(0);
        key = heads.slice(1);
        value = heads.slice(2);
        INDArray scores = buffers.get("scores", bh, tokens, tokens);                       // [B*H, N, N]
        Tensors.matmul(perHead(query), perHead(key), scores, false, true, scale);           // q k^T / sqrt(d)
        attention = buffers.get("attn", batch, numHeads, tokens, tokens);
        Softmax.forward(scores.reshape(bh * tokens, tokens), attention.reshape(bh * tokens, tokens));
        INDArray context = buffers.get("ctx", bh, tokens, headDim);                        // [B*H, N, d]
        Tensors.matmul(attention.reshape(bh, tokens, tokens), perHead(value), context, false, false, 1.0);
        INDArray merged = buffers.get("merged", batch, tokens, numHeads, headDim)           // [B, N, H, d]
                .assign(context.reshape(batch, numHeads, tokens, headDim).permute(0, 2, 1, 3));
        return proj.forward(merged.reshape((long) batch * tokens, dim));
    }

    /** dy [B*N, D] -> dx [B*N, D]; sets the gradients of qkv and proj. */
    public INDArray backward(INDArray dy) {
        int batch = (int) query.size(0);
        int tokens = (int) query.size(2);
        long bh = (long) batch * numHeads;
        INDArray dMerged = proj.backward(dy);                                               // [B*N, D]
        INDArray dContext = buffers.get("dctx", batch, numHeads, tokens, headDim)           // [B, H, N, d]
                .assign(dMerged.reshape(batch, tokens, numHeads, headDim).permute(0, 2, 1, 3));
        INDArray dc = perHead(dContext);
        INDArray dAttention = buffers.get("dattn", bh, tokens, tokens);
        Tensors.matmul(dc, perHead(value), dAttention, false, true, 1.0);                   // dA = dctx v^T
        INDArray dHeads = buffers.get("dheads", 3, batch, numHeads, tokens, headDim);       // [3, B, H, N, d]
        Tensors.matmul(attention.reshape(bh, tokens, tokens), dc, perHead(dHeads.slice(2)), true, false, 1.0);
        INDArray dScores = buffers.get("dscores", bh, tokens, tokens);
        Softmax.backward(attention.reshape(bh * tokens, tokens), dAttention.reshape(bh * tokens, tokens),
                dScores.reshape(bh * tokens, tokens), buffers.get("rowsums", bh * tokens));
        Tensors.matmul(dScores, perHead(key), perHead(dHeads.slice(0)), false, false, scale);   // dq
        Tensors.matmul(dScores, perHead(query), perHead(dHeads.slice(1)), true, false, scale);  // dk
        INDArray dQkv = buffers.get("dqkv", (long) batch * tokens, 3L * dim);
        dQkv.reshape(batch, tokens, 3, numHeads, headDim).permute(2, 0, 3, 1, 4).assign(dHeads);
        return qkv.backward(dQkv);
    }

    /** [B, H, N, d] -> [B*H, N, d] view. */
    private INDArray perHead(INDArray x) {
        return x.reshape(x.size(0) * x.size(1), x.size(2), x.size(3));
    }

    /** Raw queries of the last forward pass, [B, H, N, d]. */
    public INDArray lastQuery() {
        return query;
    }

    /** Raw keys of the last forward pass, [B, H, N, d]. */
    public INDArray lastKey() {
        return key;
    }

    /** Attention probabilities of the last forward pass, [B, H, N, N]. */
    public INDArray lastAttention() {
        return attention;
    }

    public int numHeads() {
        return numHeads;
    }

    public Linear qkv() {
        return qkv;
    }

    public Linear proj() {
        return proj;
    }
}
