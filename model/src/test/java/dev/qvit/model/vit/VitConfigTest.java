package dev.qvit.model.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class VitConfigTest {

    @Test
    void presetsHaveTheParameterCountsOfTheMethodDoc() {
        assertThat(VitConfig.tiny().parameterCount()).isEqualTo(205_066);
        assertThat(VitConfig.small().parameterCount()).isEqualTo(678_730);
        assertThat(new VisionTransformer(VitConfig.tiny(), DataType.FLOAT).parameters().size()).isEqualTo(205_066);
        assertThat(new VisionTransformer(VitConfig.small(), DataType.FLOAT).parameters().size()).isEqualTo(678_730);
    }

    @Test
    void tinyHasFiftyTokensOfHeadDimSixteen() {
        assertThat(VitConfig.tiny().numTokens()).isEqualTo(50);
        assertThat(VitConfig.tiny().headDim()).isEqualTo(16);
        assertThat(VitConfig.small().headDim()).isEqualTo(32);
    }

    @Test
    void dimNotDivisibleByHeadsIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new VitConfig(28, 4, 1, 64, 4, 5, 256, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not divisible by the number of heads 5");
    }

    @Test
    void imageNotDivisibleByPatchIsRefused() {
        assertThatThrownBy(() -> new VitConfig(28, 5, 1, 64, 4, 4, 256, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image size 28 is not divisible by patch size 5");
    }

    @Test
    void unknownPresetNamesTheChoices() {
        assertThatThrownBy(() -> VitConfig.named("huge")).hasMessageContaining("tiny, small");
    }
}
