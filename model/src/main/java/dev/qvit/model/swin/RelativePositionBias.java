package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Init;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.vit.ScoreBias;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Swin's relative position bias (Liu et al. 2021, eq. 4): B[h, i, j] = table[index(i, j), h], where index(i, j)
 * numbers the offset between tokens i and j of a w x w window among the (2w-1)^2 possible ones (timm's
 * relative_position_index), the same for every window; in a shifted block plus the mask that keeps tokens of
 * different regions of the rolled map from attending to each other (-100 between them, as timm). The table
 * lookup is a product with a fixed one-hot matrix, so its gradient is the transposed product. Training thread only.
 */
public final class RelativePositionBias implements ScoreBias {
    /** Added between tokens of different regions of a shifted window, as timm (not -inf: rows stay finite). */
    static final double MASK_VALUE = -100.0;
    private final int heads;
    private final int pairs;                 // N * N
    private final Parameter table;           // [(2w-1)^2, H]
    private final INDArray lookup;           // one-hot [N*N, (2w-1)^2]
    private final INDArray mask;             // [nW, H*N*N], the mask of each window repeated per head; null: none
    private final Buffers buffers;

    /** The bias of windows of side {@code window} over a map of side {@code resolution}; a mask when shifted. */
    public RelativePositionBias(ParameterSet params, String name, int heads, int window, int shift,
                                int resolution) {
        int n = window * window;
        int offsets = (2 * window - 1) * (2 * window - 1);
        this.heads = heads;
        this.pairs = n * n;
        this.table = params.declare(name + ".relative_position_bias_table", false, offsets, heads);
        this.buffers = params.buffers();
        float[] oneHot = new float[pairs * offsets];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int dy = i / window - j / window + window - 1;
                int dx = i % window - j % window + window - 1;
                oneHot[(i * n + j) * offsets + dy * (2 * window - 1) + dx] = 1;
            }
        }
        this.lookup = Nd4j.create(oneHot, new long[] {pairs, offsets}, 'c').castTo(params.dataType());
        this.mask = shift == 0 ? null : shiftMask(resolution, window, shift, heads).castTo(params.dataType());
    }

    /** timm: trunc-normal(0.02). */
    public void init(Random random) {
        Init.truncatedNormal(table.value(), 0.02, random);
    }

    /** [nW, H*N*N]: 0 between tokens of one region of the rolled map, -100 across regions (timm's attn_mask). */
    static INDArray shiftMask(int resolution, int window, int shift, int heads) {
        int[] region = new int[resolution * resolution];
        for (int y = 0; y < resolution; y++) {
            for (int x = 0; x < resolution; x++) {
                region[y * resolution + x] = 3 * band(y, resolution, window, shift) + band(x, resolution, window, shift);
            }
        }
        int[] rolled = WindowLayout.tokenOfRow(resolution, window, 0);   // rows -> coordinates of the rolled map
        int n = window * window;
        int windows = rolled.length / n;
        float[] values = new float[windows * heads * n * n];
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    boolean apart = region[rolled[w * n + i]] != region[rolled[w * n + j]];
                    for (int h = 0; h < heads; h++) {
                        values[((w * heads + h) * n + i) * n + j] = apart ? (float) MASK_VALUE : 0f;
                    }
                }
            }
        }
        return Nd4j.create(values, new long[] {windows, (long) heads * n * n}, 'c');
    }

    /** Which of timm's three slices (0:-w, -w:-s, -s:) coordinate v of the rolled map falls in. */
    private static int band(int v, int resolution, int window, int shift) {
        return v < resolution - window ? 0 : v < resolution - shift ? 1 : 2;
    }

    /** [H, N*N]: B[h, i*N + j] = table[index(i, j), h]. */
    private INDArray bias() {
        return Tensors.gemm(table.value(), lookup, buffers.get("bias", heads, pairs), true, true, 0.0);
    }

    /** [H, N*N] without shift; with it [nW*H, N*N], the mask of each window plus the bias of each head. */
    @Override
    public INDArray term() {
        INDArray bias = bias();
        if (mask == null) {
            return bias;
        }
        INDArray term = Tensors.addRow(mask, bias.reshape((long) heads * pairs),
                buffers.get("term", mask.rows(), mask.columns()));                         // [nW, H*N*N]
        return term.reshape(term.length() / pairs, pairs);
    }

    @Override
    public void backward(INDArray dBias) {
        Tensors.gemm(lookup, dBias, table.grad(), true, true, 0.0);                        // [(2w-1)^2, H]
    }

    public Parameter table() {
        return table;
    }
}
