package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.quant.DistributionGuidedDistillation.Norm;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExperimentSpecTest {
    private static final ExperimentSpec.Data BUNDLED = ExperimentSpec.Data.all("bundled");

    private static ExperimentSpec student(int bits, Rectification irm, boolean dgd) {
        return ExperimentSpec.student(VitConfig.tiny(), BUNDLED, ExperimentSpec.BUNDLED_TEACHER,
                QuantizationConfig.of(bits, irm), DistillationSettings.of(dgd, 0.1, Norm.HEAD), 2, 0);
    }

    @Test
    void everyLabelNamesItsIrmFormInOneFormatForWindowCommandLineAndTables() {
        assertThat(student(4, Rectification.TOKEN, true).label()).isEqualTo("W4A4 IRM(token)+DGD");
        assertThat(student(2, Rectification.DISTRIBUTION, false).label()).isEqualTo("W2A2 IRM(distribution)");
        assertThat(student(4, Rectification.NONE, true).label()).isEqualTo("W4A4 DGD");
        assertThat(student(3, Rectification.NONE, false).label()).isEqualTo("W3A3 baseline");
        assertThat(ExperimentSpec.teacher(VitConfig.tiny(), BUNDLED, 1, 0).label()).isEqualTo("FP teacher tiny");
        assertThat(student(4, Rectification.TOKEN, true).shortName()).isEqualTo("w4-irm+dgd-token");
        assertThat(student(2, Rectification.DISTRIBUTION, false).shortName()).isEqualTo("w2-irm");
    }

    @Test
    void dgdIsMeasuredEveryStepWhenOnAndEveryTenthWhenOff() {
        assertThat(DistillationSettings.of(true, 0.1, Norm.HEAD).diagnosticEvery()).isEqualTo(1);
        assertThat(DistillationSettings.of(false, 0.1, Norm.HEAD).diagnosticEvery())
                .isEqualTo(DistillationSettings.DIAGNOSTIC_EVERY).isEqualTo(10);
    }

    @Test
    void aSpecSurvivesJsonExactly() {
        ExperimentSpec spec = student(2, Rectification.DISTRIBUTION, true).withSeed(7)
                .withData(new ExperimentSpec.Data("/data/fmnist", 1000, 500));
        String json = spec.toJson();
        assertThat(json).contains("\"schemaVersion\" : 1").contains("\"DISTRIBUTION\"").doesNotContain("diagnosticEvery");
        assertThat(ExperimentSpec.fromJson(json)).isEqualTo(spec);
        ExperimentSpec teacher = ExperimentSpec.teacher(VitConfig.small(), BUNDLED, 30, 3);
        assertThat(teacher.toJson()).doesNotContain("quantization").doesNotContain("teacher\"");
        assertThat(ExperimentSpec.fromJson(teacher.toJson())).isEqualTo(teacher);
    }

    @Test
    void everyProblemIsNamedByItsSettingWithTheValueGiven() {
        ExperimentSpec bad = new ExperimentSpec(1, ExperimentSpec.Kind.STUDENT, VitConfig.tiny(),
                new ExperimentSpec.Data("bundled", 1, -3), null, QuantizationConfig.of(5, Rectification.NONE),
                DistillationSettings.of(true, 101, Norm.HEAD), new TrainingConfig(0, 1, 2, 0, 0, 0, -1, 0, true));
        assertThat(bad.problems())
                .containsEntry("images", "train on at least 2 images")
                .containsEntry("testImages", "the test-image limit must be 0 (all) or more, got -3")
                .containsKey("teacher")
                .containsEntry("bits", "bits must be 2, 3, 4 or 8, got 5")
                .containsEntry("lambda", "λ (the DGD weight) must be between 0 and 100, got 101.0")
                .containsEntry("epochs", "epochs must be between 1 and 1000, got 0")
                .containsEntry("batch", "batch size must be between 2 and 4096, got 1")
                .containsEntry("lr", "learning rate must be in (0, 1], got 2.0")
                .containsKey("clip");
        assertThat(student(4, Rectification.DISTRIBUTION, true).problems()).isEmpty();
        assertThatThrownBy(bad::requireValid).isInstanceOf(InvalidExperimentException.class)
                .hasMessageContaining("bits must be 2, 3, 4 or 8, got 5; ");
    }

    @Test
    void aTeacherRunCarriesNoStudentSettings() {
        ExperimentSpec t = ExperimentSpec.teacher(VitConfig.tiny(), BUNDLED, 1, 0);
        assertThat(t.problems()).isEmpty();
        ExperimentSpec mixed = new ExperimentSpec(1, ExperimentSpec.Kind.TEACHER, t.model(), t.data(), null,
                QuantizationConfig.of(4, Rectification.NONE), null, t.training());
        assertThat(mixed.problems()).containsKey("kind");
    }

    @Test
    void aSpecFromANewerWorkbenchIsRefusedWithItsVersion() {
        String newer = student(4, Rectification.NONE, false).toJson().replace("\"schemaVersion\" : 1",
                "\"schemaVersion\" : 2");
        assertThatThrownBy(() -> ExperimentSpec.fromJson(newer)).isInstanceOf(InvalidExperimentException.class)
                .hasMessage("it was written by a newer workbench (schema 2; this one reads 1)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,2]", "{\"schemaVersion\": 1}", "{\"schemaVersion\": \"x\"}", "null",
            "{\"schemaVersion\":1,\"kind\":\"TEACHER\",\"model\":{\"imageSize\":28,\"patchSize\":5,\"channels\":1,"
                    + "\"dim\":64,\"depth\":4,\"numHeads\":4,\"mlpDim\":256,\"numClasses\":10}}"})
    void textThatIsNotASpecGetsOneSentenceNotAStackTrace(String json) {
        assertThatThrownBy(() -> ExperimentSpec.fromJson(json)).isInstanceOf(InvalidExperimentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("at com.fasterxml")
                        .hasSizeLessThan(300));
    }

    @Test
    void aCustomModelSizeThatCannotExistIsRefusedInItsOwnWords() {
        String json = "{\"schemaVersion\":1,\"kind\":\"TEACHER\",\"model\":{\"imageSize\":28,\"patchSize\":5,"
                + "\"channels\":1,\"dim\":64,\"depth\":4,\"numHeads\":4,\"mlpDim\":256,\"numClasses\":10}}";
        assertThatThrownBy(() -> ExperimentSpec.fromJson(json))
                .hasMessageContaining("image size 28 is not divisible by patch size 5");
    }

    @Test
    void aSwinSpecSurvivesJsonWithItsArchitectureAndAnOlderSpecIsAVit() {
        ExperimentSpec swin = ExperimentSpec.teacher(dev.qvit.model.swin.SwinConfig.tiny(),
                ExperimentSpec.Data.all("bundled"), 2, 3);
        String json = swin.toJson();
        assertThat(json).contains("\"architecture\" : \"swin\"").contains("\"depths\" : [ 2, 2 ]");
        assertThat(ExperimentSpec.fromJson(json)).isEqualTo(swin);
        assertThat(swin.shortName()).isEqualTo("teacher-swin-tiny");
        // written before Swin: no architecture, a ViT
        String old = "{\"schemaVersion\":1,\"kind\":\"TEACHER\",\"model\":{\"imageSize\":28,\"patchSize\":4,"
                + "\"channels\":1,\"dim\":64,\"depth\":4,\"numHeads\":4,\"mlpDim\":256,\"numClasses\":10},"
                + "\"data\":{\"source\":\"bundled\",\"trainLimit\":0,\"testLimit\":0},"
                + "\"training\":" + ExperimentSpec.fromJson(json).withModel(null).toJson()
                .replaceAll("(?s).*\"training\" : ", "").replaceAll("(?s)\\}\\s*$", "") + "}";
        assertThat(ExperimentSpec.fromJson(old).model()).isEqualTo(dev.qvit.model.vit.VitConfig.tiny());
        String unknown = json.replace("\"swin\"", "\"resnet\"");
        assertThatThrownBy(() -> ExperimentSpec.fromJson(unknown)).isInstanceOf(InvalidExperimentException.class)
                .hasMessageContaining("architecture").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
