package dev.qvit.model.vit;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.quant.QuantizationConfig;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pre-norm transformer block: x = x + Attn(LN1(x)); x = x + MLP(LN2(x)). Training thread only.
 */
public final class TransformerBlock {
    static final double LAYER_NORM_EPS = 1e-6;
    private final LayerNorm norm1;
    private final MultiHeadSelfAttention attention;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final Buffers buffers;

    public TransformerBlock(ParameterSet params, String name, VitConfig config) {
        this(params, name, config, null);
    }

    /** A block of a quantized student when {@code quant} is not null. */
    public TransformerBlock(ParameterSet params, String name, VitConfig config, QuantizationConfig quant) {
        this.norm1 = new LayerNorm(params, name + ".norm1", config.dim(), LAYER_NORM_EPS);
        this.attention = new MultiHeadSelfAttention(params, name + ".attn", config.dim(), config.numHeads(), quant);
        this.norm2 = new LayerNorm(params, name + ".norm2", config.dim(), LAYER_NORM_EPS);
        this.mlp = new Mlp(params, name + ".mlp", config.dim(), config.mlpDim(), quant);
        this.buffers = params.buffers();
    }

    public void init(Random random) {
        norm1.init();
        attention.init(random);
        norm2.init();
        mlp.init(random);
    }

    /** x [B*N, D] -> [B*N, D] (training mode). */
    public INDArray forward(INDArray x, int batch) {
        return attend(x, batch, true).output();
    }

    /** x [B*N, D] -> the block's output [B*N, D] and its attention's trace. */
    public MultiHeadSelfAttention.Attended attend(INDArray x, int batch, boolean training) {
        MultiHeadSelfAttention.Attended attended = attention.attend(norm1.forward(x), batch, training);
        INDArray afterAttention = Tensors.add(attended.output(), x, buffers.get("x1", x.rows(), x.columns()));
        INDArray out = Tensors.add(mlp.forward(norm2.forward(afterAttention), training), afterAttention,
                buffers.get("x2", x.rows(), x.columns()));
        return new MultiHeadSelfAttention.Attended(out, attended.trace());
    }

    public INDArray backward(INDArray dy) {
        return backward(dy, null);
    }

    /** dy [B*N, D] -> dx [B*N, D], with {@code extra} gradients on the attention's used q and k (null: none). */
    public INDArray backward(INDArray dy, QueryKeyGradient extra) {
        INDArray dAfterAttention = Tensors.add(norm2.backward(mlp.backward(dy)), dy,
                buffers.get("dx1", dy.rows(), dy.columns()));
        return Tensors.add(norm1.backward(attention.backward(dAfterAttention, extra)), dAfterAttention,
                buffers.get("dx", dy.rows(), dy.columns()));
    }

    public MultiHeadSelfAttention attention() {
        return attention;
    }

    public Mlp mlp() {
        return mlp;
    }
}
