package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The token order of (shifted) window attention (Liu et al. 2021, section 3.2): a stage's r x r token map, rolled by
 * -shift on both axes, cut into w x w windows in raster order, tokens in raster order inside each window
 * (timm's roll, window_partition, window_reverse). Both directions are one permutation of each image's rows and
 * its inverse, so each is the other's backward pass. Training thread only.
 */
public final class WindowLayout {
    private final int tokens;
    private final int window;
    private final int[] tokenOfRow;   // windowed row j of an image -> its token in the raster order of the map
    private final int[] rowOfToken;   // the inverse
    private final boolean identity;
    private final Buffers buffers;
    private int[] gather;             // tokenOfRow over a batch of images, as row indices
    private int[] scatter;            // rowOfToken over a batch

    public WindowLayout(Buffers buffers, int resolution, int window, int shift) {
        if (resolution % window != 0 || shift < 0 || shift >= window) {
            throw new IllegalArgumentException("a %dx%d map has no %dx%d windows shifted by %d"
                    .formatted(resolution, resolution, window, window, shift));
        }
        this.buffers = buffers;
        this.window = window;
        this.tokens = resolution * resolution;
        this.tokenOfRow = tokenOfRow(resolution, window, shift);
        this.rowOfToken = new int[tokens];
        for (int row = 0; row < tokens; row++) {
            rowOfToken[tokenOfRow[row]] = row;
        }
        this.identity = java.util.stream.IntStream.range(0, tokens).allMatch(j -> tokenOfRow[j] == j);
    }

    /** Windowed row j of an image -> its token in the raster order of the (unrolled) map. */
    static int[] tokenOfRow(int resolution, int window, int shift) {
        int[] token = new int[resolution * resolution];
        int perSide = resolution / window;
        int row = 0;
        for (int wy = 0; wy < perSide; wy++) {
            for (int wx = 0; wx < perSide; wx++) {
                for (int ty = 0; ty < window; ty++) {
                    for (int tx = 0; tx < window; tx++) {
                        int y = (wy * window + ty + shift) % resolution;          // rolled by -shift
                        int x = (wx * window + tx + shift) % resolution;
                        token[row++] = y * resolution + x;
                    }
                }
            }
        }
        return token;
    }

    /** Side of the stage's token map. */
    public int resolution() {
        return (int) Math.round(Math.sqrt(tokens));
    }

    /** [windows, tokens per window]: the token (raster order on the map) of each windowed row of an image. */
    public int[] tokenOfRow() {
        return tokenOfRow.clone();
    }

    public int windowsPerImage() {
        return tokens / tokensPerWindow();
    }

    public int tokensPerWindow() {
        return window * window;
    }

    /** Whether the windowed order is the raster order (one window, no shift): then nothing is copied. */
    public boolean identity() {
        return identity;
    }

    /** x [B*r*r, C], tokens in raster order -> [B*nW*N, C], windows of the rolled map (buffer {@code key}). */
    public INDArray partition(INDArray x, String key) {
        return permute(x, key, true);
    }

    /** windows [B*nW*N, C] -> [B*r*r, C] in raster order, rolled back (buffer {@code key}). */
    public INDArray reverse(INDArray windows, String key) {
        return permute(windows, key, false);
    }

    private INDArray permute(INDArray x, String key, boolean toWindows) {
        if (identity) {
            return x;
        }
        int batch = (int) (x.rows() / tokens);
        if (gather == null || gather.length != batch * tokens) {
            gather = overBatch(tokenOfRow, batch);
            scatter = overBatch(rowOfToken, batch);
        }
        INDArray out = buffers.get(key, x.rows(), x.columns());
        return Nd4j.pullRows(x, out, 1, toWindows ? gather : scatter);
    }

    private int[] overBatch(int[] perImage, int batch) {
        int[] rows = new int[batch * tokens];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < tokens; j++) {
                rows[b * tokens + j] = b * tokens + perImage[j];
            }
        }
        return rows;
    }
}
