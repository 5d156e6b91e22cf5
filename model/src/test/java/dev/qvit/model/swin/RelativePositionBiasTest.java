package dev.qvit.model.swin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.GradientCheck;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The bias lookup and the shifted-window mask, against values worked out by hand. */
class RelativePositionBiasTest {

    @Test
    void theBiasOfAPairIsTheTableRowOfTheirOffset() {
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        RelativePositionBias bias = new RelativePositionBias(params, "attn", 2, 3, 0, 3);
        params.allocate();
        INDArray table = bias.table().value();                                           // [25, 2]
        GradientCheck.fillGaussian(table, new Random(5), 0, 1);
        INDArray term = bias.term();                                                      // [2, 81]
        assertThat(term.shape()).containsExactly(2, 81);
        // token 0 = (0, 0), token 8 = (2, 2): offset (-2, -2) -> (0 * 5 + 0); offset (2, 2) -> (4 * 5 + 4) = 24
        // token 1 = (0, 1), token 3 = (1, 0): offset (-1, 1) -> (1 * 5 + 3) = 8
        for (int h = 0; h < 2; h++) {
            assertThat(term.getDouble(h, 8)).isEqualTo(table.getDouble(0, h));
            assertThat(term.getDouble(h, 8 * 9)).isEqualTo(table.getDouble(24, h));
            assertThat(term.getDouble(h, 9 + 3)).isEqualTo(table.getDouble(8, h));
            assertThat(term.getDouble(h, 4 * 9 + 4)).isEqualTo(table.getDouble(12, h));   // offset (0, 0)
        }
    }

    @Test
    void theShiftedMaskSeparatesTheRegionsOfTheRolledMap() {
        // 14x14 map, windows of 7, shift 3: regions [0, 7), [7, 11), [11, 14) per axis
        INDArray mask = RelativePositionBias.shiftMask(14, 7, 3, 1);                      // [4, 49 * 49]
        long[] masked = new long[4];
        for (int w = 0; w < 4; w++) {
            for (float v : mask.getRow(w).toFloatVector()) {
                assertThat(v).isIn(0f, (float) RelativePositionBias.MASK_VALUE);
                masked[w] += v < 0 ? 1 : 0;
            }
        }
        // top left: one region; top right and bottom left: 7x4 and 7x3 (28 and 21 tokens); bottom right: 16, 12, 12, 9
        assertThat(masked[0]).isZero();
        assertThat(masked[1]).isEqualTo(49L * 49 - (28 * 28 + 21 * 21));
        assertThat(masked[2]).isEqualTo(masked[1]);
        assertThat(masked[3]).isEqualTo(49L * 49 - (16 * 16 + 12 * 12 + 12 * 12 + 9 * 9));
    }
}
