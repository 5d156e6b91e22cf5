package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.bench.FlopCount;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.AblationRow;
import dev.qvit.records.ModelCost;
import dev.qvit.records.PairedDifference;
import java.util.List;
import org.junit.jupiter.api.Test;

class AblationStatisticsTest {

    @Test
    void theIntervalOfThreeDifferencesIsStudentsTWithTwoDegreesOfFreedom() {
        // mean 0.02, sample std 0.01, t(2; 0.975) = 4.302653: half width 4.302653 * 0.01 / sqrt(3) = 0.0248414
        PairedDifference d = AblationStatistics.paired(new double[] {0.01, 0.02, 0.03});
        assertThat(d.n()).isEqualTo(3);
        assertThat(d.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(d.std()).isCloseTo(0.01, within(1e-12));
        assertThat(d.low()).isCloseTo(0.02 - 0.0248414, within(1e-6));
        assertThat(d.high()).isCloseTo(0.02 + 0.0248414, within(1e-6));
        assertThat(d.excludesZero()).isFalse();
    }

    @Test
    void fourConsistentDifferencesExcludeZero() {
        // mean 0.0115, std sqrt(5e-6 / 3) = 0.00129099, t(3; 0.975) = 3.182446: half width 0.00205431
        PairedDifference d = AblationStatistics.paired(new double[] {0.010, 0.012, 0.011, 0.013});
        assertThat(d.low()).isCloseTo(0.0115 - 0.00205431, within(1e-7));
        assertThat(d.high()).isCloseTo(0.0115 + 0.00205431, within(1e-7));
        assertThat(d.excludesZero()).isTrue();
        assertThat(AblationStatistics.paired(new double[] {-0.010, -0.012, -0.011, -0.013}).excludesZero()).isTrue();
    }

    @Test
    void oneSeedHasAMeanButNoInterval() {
        PairedDifference d = AblationStatistics.paired(new double[] {0.004});
        assertThat(d.mean()).isEqualTo(0.004);
        assertThat(d.low()).isNaN();
        assertThat(d.excludesZero()).isFalse();
    }

    @Test
    void rowsPairEachVariantWithTheBaselineOnTheSeedsBothHave() {
        // given a baseline on seeds 0, 1, 2 and IRM on seeds 0, 1, 3 at 4 bits, and an FP teacher at 0.90
        List<CellResult> cells = List.of(cell(4, "base", 0, 0.80), cell(4, "base", 1, 0.82), cell(4, "base", 2, 0.84),
                cell(4, "irm", 0, 0.81), cell(4, "irm", 1, 0.85), cell(4, "irm", 3, 0.99), cell(2, "base", 0, 0.70));
        // when the table is made
        List<AblationRow> rows = AblationStatistics.rows(cells, 0.90, VitConfig.tiny(), 8);
        // then it is ordered by bits, then variant
        assertThat(rows).extracting(AblationRow::label).containsExactly("W4A4 baseline", "W4A4 IRM(distribution)",
                "W2A2 baseline");
        AblationRow irm = rows.get(1);
        // and the accuracy is over all three IRM seeds: mean 0.8833, std of (0.81, 0.85, 0.99)
        assertThat(irm.accuracy()).isCloseTo((0.81 + 0.85 + 0.99) / 3, within(1e-12));
        assertThat(irm.accuracyStd()).isCloseTo(0.0945163, within(1e-6));
        assertThat(irm.vsTeacher()).isCloseTo((0.81 + 0.85 + 0.99) / 3 - 0.90, within(1e-12));
        // and the difference is paired on seeds 0 and 1 only: (0.01, 0.03), t(1; 0.975) = 12.7062
        PairedDifference d = irm.vsBaseline();
        assertThat(d.n()).isEqualTo(2);
        assertThat(d.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(d.halfWidth()).isCloseTo(12.7062047 * Math.sqrt(0.0002) / Math.sqrt(2), within(1e-6));
        assertThat(rows.get(0).vsBaseline()).isNull();
    }

    @Test
    void bitOperationsAreMultiplyAddsTimesTheBitsOfBothOperands() {
        VitConfig c = VitConfig.tiny();
        ModelCost fp = ModelCosts.fullPrecision(c);
        assertThat(fp.bops()).isCloseTo(FlopCount.forward(c) / 2 * 32 * 32, within(1.0));
        ModelCost w4 = ModelCosts.of(c, QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE));
        double edgeMacs = (FlopCount.patchEmbedding(c) + FlopCount.head(c)) / 2;
        double blockMacs = c.depth() * FlopCount.block(c) / 2;
        assertThat(w4.bops()).isCloseTo(blockMacs * 16 + edgeMacs * 64, within(1.0));
        assertThat(w4.weightBits()).isLessThan(fp.weightBits() / 4).isGreaterThan(fp.weightBits() / 8);
        assertThat(w4.activationBits()).isLessThan(fp.activationBits() / 4);
    }

    @Test
    void aSwinsFullPrecisionWeightsAreItsParametersAt32BitsAndItsQuantizedOnesFewer() {
        dev.qvit.model.swin.SwinConfig c = dev.qvit.model.swin.SwinConfig.tiny();
        ModelCost fp = ModelCosts.fullPrecision(c);
        assertThat(fp.weightBits()).isCloseTo(32.0 * c.parameterCount(), within(1.0));
        ModelCost w4 = ModelCosts.of(c, QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE));
        ModelCost w2 = ModelCosts.of(c, QuantizationConfig.of(2, QuantizationConfig.Rectification.NONE));
        assertThat(w4.weightBits()).isLessThan(fp.weightBits() / 4).isGreaterThan(w2.weightBits());
        assertThat(w4.bops()).isLessThan(fp.bops() / 16).isGreaterThan(w2.bops());
        assertThat(w2.activationBits()).isLessThan(w4.activationBits());
    }

    private static CellResult cell(int bits, String variant, long seed, double accuracy) {
        return new CellResult(bits, variant, seed, "distribution", 0.1, accuracy, Double.NaN, List.of(), List.of(), 1);
    }
}
