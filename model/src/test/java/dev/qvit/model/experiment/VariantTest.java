package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.quant.QuantizationConfig.Rectification;
import org.junit.jupiter.api.Test;

class VariantTest {

    @Test
    void runLabelsNameBitsAndTheIrmForm() {
        assertThat(Variant.of(true, true).runLabel(4, Rectification.TOKEN)).isEqualTo("W4A4 IRM(token)+DGD");
        assertThat(Variant.of(true, false).runLabel(2, Rectification.DISTRIBUTION)).isEqualTo("W2A2 IRM(distribution)");
        assertThat(Variant.of(false, true).runLabel(3, Rectification.TOKEN)).isEqualTo("W3A3 DGD");
        assertThat(Variant.of(false, false).runLabel(8, Rectification.NONE)).isEqualTo("W8A8 baseline");
    }

    @Test
    void anIrmVariantWithoutAFormIsRefused() {
        assertThatThrownBy(() -> Variant.IRM.runLabel(4, Rectification.NONE)).hasMessageContaining("needs an IRM form");
    }
}
