package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.Tensors;
import dev.qvit.records.CodeUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Per-channel code usage in one pass, and the floats of a tensor taken without a wrong offset or order. */
class ChannelSplitTest {

    @ParameterizedTest
    @CsvSource({"4, 1, 3", "4, 5, 2", "1, 7, 3", "3, 2, 1"})
    void everyElementCountsInTheChannelOfItsIndex(int channels, int inner, int outer) {
        // 2-bit codes -2..1 and scaled values, some outside [-2, 1]
        float[] codes = new float[outer * channels * inner];
        float[] scaled = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (i * 7 % 4) - 2;
            scaled[i] = (i * 5 % 9) - 4;
        }
        List<CodeUsage> fast = CodeUsage.perChannel(2, -2, 1, codes, scaled, channels, inner);
        for (int c = 0; c < channels; c++) {
            List<Float> cs = new ArrayList<>();
            List<Float> ss = new ArrayList<>();
            for (int i = 0; i < codes.length; i++) {
                if ((i / inner) % channels == c) {          // the definition, element by element
                    cs.add(codes[i]);
                    ss.add(scaled[i]);
                }
            }
            CodeUsage naive = CodeUsage.of(2, -2, 1, floats(cs), floats(ss));
            assertThat(fast.get(c).counts()).containsExactly(naive.counts());
            assertThat(fast.get(c).clipFraction()).isEqualTo(naive.clipFraction());
        }
        // and the whole tensor's usage is the sum of its channels'
        CodeUsage all = CodeUsage.of(2, -2, 1, codes, scaled);
        assertThat(CodeUsage.total(fast).counts()).containsExactly(all.counts());
        assertThat(CodeUsage.total(fast).clipFraction()).isCloseTo(all.clipFraction(),
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void floatsOfViewsAndOtherOrdersAreTheirOwnValuesInRowMajorOrder() {
        INDArray whole = Nd4j.arange(24).castTo(DataType.FLOAT).reshape(4, 6);
        assertThat(Tensors.floats(whole)).containsExactly(whole.dup().data().asFloat());
        INDArray rows = whole.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());      // a view at an offset
        assertThat(Tensors.floats(rows)).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        INDArray fortran = whole.dup('f');
        assertThat(Tensors.floats(fortran)).containsExactly(Tensors.floats(whole));
        assertThat(Tensors.floats(whole.castTo(DataType.DOUBLE))).containsExactly(Tensors.floats(whole));
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
