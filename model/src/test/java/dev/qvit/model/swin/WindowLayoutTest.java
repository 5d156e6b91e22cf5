package dev.qvit.model.swin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.GradientCheck;
import dev.qvit.model.nn.Buffers;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The window order of (shifted) window attention against timm's roll + window_partition, written out. */
class WindowLayoutTest {
    private static final int R = 6;
    private static final int W = 3;
    private static final int C = 2;
    private static final int BATCH = 2;
    private final Random random = new Random(17);
    private final Buffers buffers = new Buffers(DataType.DOUBLE);

    @Test
    void unshiftedWindowsAreTimmsViewAndPermute() {
        INDArray x = GradientCheck.gaussian(random, (long) BATCH * R * R, C);
        INDArray windows = new WindowLayout(buffers, R, W, 0).partition(x, "w");
        INDArray expected = x.reshape(BATCH, R / W, W, R / W, W, C).permute(0, 1, 3, 2, 4, 5).dup()
                .reshape((long) BATCH * R * R, C);                               // window_partition
        assertThat(windows.equalsWithEps(expected, 0)).isTrue();
    }

    @Test
    void shiftedWindowsReadTheMapRolledBackByTheShift() {
        int shift = 1;
        INDArray x = GradientCheck.gaussian(random, (long) BATCH * R * R, C);
        INDArray windows = new WindowLayout(buffers, R, W, shift).partition(x, "w");
        INDArray image = x.reshape(BATCH, R, R, C);
        // torch.roll(x, (-s, -s)): rolled[y][x] = x[(y + s) % R][(x + s) % R]; then window_partition
        for (int b = 0; b < BATCH; b++) {
            for (int row = 0; row < R * R; row++) {
                int window = row / (W * W);
                int inWindow = row % (W * W);
                int y = (window / (R / W)) * W + inWindow / W;
                int xx = (window % (R / W)) * W + inWindow % W;
                INDArray expected = image.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                        org.nd4j.linalg.indexing.NDArrayIndex.point((y + shift) % R),
                        org.nd4j.linalg.indexing.NDArrayIndex.point((xx + shift) % R),
                        org.nd4j.linalg.indexing.NDArrayIndex.all());
                assertThat(windows.getRow((long) b * R * R + row).equalsWithEps(expected, 0))
                        .as("image %d, windowed row %d", b, row).isTrue();
            }
        }
    }

    @Test
    void reverseUndoesPartition() {
        INDArray x = GradientCheck.gaussian(random, (long) BATCH * R * R, C);
        WindowLayout layout = new WindowLayout(buffers, R, W, 2);
        INDArray back = layout.reverse(layout.partition(x, "w").dup(), "r");
        assertThat(back.equalsWithEps(x, 0)).isTrue();
        assertThat(layout.identity()).isFalse();
        assertThat(layout.windowsPerImage()).isEqualTo(4);
    }

    @Test
    void oneUnshiftedWindowCopiesNothing() {
        INDArray x = GradientCheck.gaussian(random, (long) BATCH * W * W, C);
        WindowLayout layout = new WindowLayout(buffers, W, W, 0);
        assertThat(layout.identity()).isTrue();
        assertThat(layout.partition(x, "w")).isSameAs(x);
    }

    @Test
    void aMapThatIsNotMadeOfWindowsIsRefused() {
        assertThatThrownBy(() -> new WindowLayout(buffers, 7, 3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7x7");
        assertThatThrownBy(() -> new WindowLayout(buffers, 6, 3, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
