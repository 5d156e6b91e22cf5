package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.Mlp;
import dev.qvit.model.vit.MultiHeadSelfAttention;
import dev.qvit.model.vit.QueryKeyGradient;
import dev.qvit.records.LayerGeometry;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Swin block (timm's SwinTransformerBlock): x = x + Reverse(W-MSA(Partition(LN1(x)))); x = x + MLP(LN2(x)),
 * where W-MSA is multi-head self-attention inside each window with the relative position bias (and, on shifted
 * blocks, the mask), batched over images x windows like the ViT's over images. Training thread only.
 */
public final class SwinBlock {
    /** PyTorch's default: timm's Swin uses nn.LayerNorm (the DeiT blocks use 1e-6). */
    static final double LAYER_NORM_EPS = 1e-5;
    private final LayerNorm norm1;
    private final WindowLayout windows;
    private final RelativePositionBias bias;
    private final MultiHeadSelfAttention attention;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final Buffers buffers;
    private final String name;

    public SwinBlock(ParameterSet params, String name, SwinConfig config, int stage, int block,
                     QuantizationConfig quant) {
        this.name = name;
        int dim = config.dim(stage);
        int window = config.window(stage);
        int shift = config.shift(stage, block);
        this.norm1 = new LayerNorm(params, name + ".norm1", dim, LAYER_NORM_EPS);
        this.buffers = params.buffers();
        this.windows = new WindowLayout(buffers, config.resolution(stage), window, shift);
        this.bias = new RelativePositionBias(params, name + ".attn", config.heads(stage), window, shift,
                config.resolution(stage));
        this.attention = new MultiHeadSelfAttention(params, name + ".attn", dim, config.heads(stage), quant, bias);
        this.norm2 = new LayerNorm(params, name + ".norm2", dim, LAYER_NORM_EPS);
        this.mlp = new Mlp(params, name + ".mlp", dim, dim * config.mlpRatio(), quant);
    }

    public void init(Random random) {
        norm1.init();
        attention.init(random);
        bias.init(random);
        norm2.init();
        mlp.init(random);
    }

    /** x [B*r*r, C] -> [B*r*r, C] (training mode). */
    public INDArray forward(INDArray x, int batch) {
        return attend(x, batch, true).output();
    }

    /** x [B*r*r, C] -> the block's output and its attention's trace (q, k, A per image x window). */
    public MultiHeadSelfAttention.Attended attend(INDArray x, int batch, boolean training) {
        INDArray windowed = windows.partition(norm1.forward(x), "windows");              // [B*nW*N, C]
        MultiHeadSelfAttention.Attended attended =
                attention.attend(windowed, batch * windows.windowsPerImage(), training);
        INDArray afterAttention = Tensors.add(windows.reverse(attended.output(), "attended"), x,  // [B*r*r, C]
                buffers.get("x1", x.rows(), x.columns()));
        INDArray out = Tensors.add(mlp.forward(norm2.forward(afterAttention), training), afterAttention,
                buffers.get("x2", x.rows(), x.columns()));
        return new MultiHeadSelfAttention.Attended(out, attended.trace());
    }

    public INDArray backward(INDArray dy) {
        return backward(dy, null);
    }

    /** dy [B*r*r, C] -> dx [B*r*r, C], with {@code extra} gradients on the used q and k (null: none). */
    public INDArray backward(INDArray dy, QueryKeyGradient extra) {
        INDArray dAfterAttention = Tensors.add(norm2.backward(mlp.backward(dy)), dy,
                buffers.get("dx1", dy.rows(), dy.columns()));
        INDArray dWindowed = attention.backward(windows.partition(dAfterAttention, "dwindows"), extra);
        return Tensors.add(norm1.backward(windows.reverse(dWindowed, "dunwindowed")), dAfterAttention,
                buffers.get("dx", dy.rows(), dy.columns()));
    }

    public MultiHeadSelfAttention attention() {
        return attention;
    }

    public RelativePositionBias bias() {
        return bias;
    }

    /** Where this block's attention lies over the image: its windows of the stage's token map. */
    public LayerGeometry geometry() {
        return new LayerGeometry(name, attention.numHeads(), windows.tokensPerWindow(), windows.windowsPerImage(),
                windows.resolution(), windows.tokenOfRow());
    }

    public WindowLayout windows() {
        return windows;
    }

    public Mlp mlp() {
        return mlp;
    }
}
