package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelSplitTest {

    @ParameterizedTest
    @CsvSource({"4, 1, 3", "4, 5, 2", "1, 7, 3", "3, 2, 1"})
    void splitsEveryElementIntoTheChannelOfItsIndex(int channels, int inner, int outer) {
        float[] all = new float[outer * channels * inner];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[][] split = LsqQuantizer.splitChannels(all, channels, inner);
        for (int c = 0; c < channels; c++) {
            int k = 0;
            for (int i = 0; i < all.length; i++) {
                if ((i / inner) % channels == c) {          // the definition, element by element
                    assertThat(split[c][k++]).isEqualTo(all[i]);
                }
            }
            assertThat(k).isEqualTo(split[c].length);
        }
    }
}
