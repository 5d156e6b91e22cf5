package dev.qvit.app.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.quant.QuantizationConfig;
import org.junit.jupiter.api.Test;

class RunSettingsTest {

    private static RunSettings student(int bits, boolean irm, String form, boolean dgd) {
        return new RunSettings(RunSettings.Kind.STUDENT, "tiny", bits, irm, form, dgd, 0.1, 2, 2e-4, 0, "bundled", 0,
                2);
    }

    @Test
    void theDefaultStudentUsesThePapersDistributionIrmWithDgd() {
        RunSettings d = RunSettings.defaults();
        assertThat(d.irm()).isTrue();
        assertThat(d.irmForm()).isEqualTo("distribution");
        assertThat(d.quantization().rectification()).isEqualTo(QuantizationConfig.Rectification.DISTRIBUTION);
        assertThat(d.label()).isEqualTo("W4A4 IRM(distribution)+DGD");
    }

    @Test
    void everyStudentLabelNamesItsIrmFormInTheCommandLinesFormat() {
        assertThat(student(4, true, "token", true).label()).isEqualTo("W4A4 IRM(token)+DGD");
        assertThat(student(2, true, "distribution", false).label()).isEqualTo("W2A2 IRM(distribution)");
        assertThat(student(4, false, "distribution", true).label()).isEqualTo("W4A4 DGD");
        assertThat(student(3, false, "token", false).label()).isEqualTo("W3A3 baseline");
        assertThat(RunSettings.defaults().withKind(RunSettings.Kind.TEACHER).label()).isEqualTo("FP teacher tiny");
    }
}
