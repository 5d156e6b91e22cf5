package dev.qvit.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.experiment.AblationStatistics;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's sentences about the grid follow from its intervals. */
class ResultStepTest {

    private static CellResult cell(int bits, String variant, long seed, double accuracy) {
        return new CellResult(bits, variant, seed, "distribution", 0.1, accuracy, Double.NaN, List.of(), List.of(), 1);
    }

    @Test
    void theShippedGridLoadsAndSaysSomethingOfEveryVariant() throws Exception {
        ShippedGrid grid = ShippedGrid.load();
        assertThat(grid.recipe()).startsWith("grid paper-recipe: bits 2, 4 × variants base, irm, dgd, irm+dgd × seeds 0, 1, 2;").contains("3 QAT epochs on 20,000 full");
        List<String> v = ResultStep.verdicts(AblationStatistics.rows(grid.cells(), 0.8933, VitConfig.tiny(), 8), 0.8933);
        assertThat(v).anySatisfy(s -> assertThat(s).startsWith("W2A2: the best variant"))
                .anySatisfy(s -> assertThat(s).startsWith("  W2A2 DGD vs baseline: "));
    }

    @Test
    void eachVariantIsCalledBetterWorseOrNotMeasurablyDifferentByItsInterval() {
        // given at 2 bits a baseline, an IRM that wins on every seed by about a point, a DGD that wins once and
        // loses once, and an IRM+DGD on one seed only; at 4 bits a baseline alone
        List<CellResult> cells = List.of(cell(2, "base", 0, 0.770), cell(2, "base", 1, 0.772), cell(2, "base", 2, 0.768),
                cell(2, "irm", 0, 0.780), cell(2, "irm", 1, 0.7825), cell(2, "irm", 2, 0.7775),
                cell(2, "dgd", 0, 0.775), cell(2, "dgd", 1, 0.767), cell(2, "dgd", 2, 0.769),
                cell(2, "irm+dgd", 0, 0.771), cell(4, "base", 0, 0.87), cell(4, "base", 1, 0.874));
        List<String> v = ResultStep.verdicts(AblationStatistics.rows(cells, 0.8933, VitConfig.tiny(), 8), 0.8933);
        // then 4 bits come first, with the gap of the best model to FP
        assertThat(v.get(0)).isEqualTo("W4A4: the best variant, baseline (87.20 ± 0.28 %), is 2.13 points below the "
                + "FP teacher (89.33 %).");
        // differences 0.0100, 0.0105, 0.0095: sd 0.0005, t(2; 0.975) 4.3027 · 0.0005 / √3 = 0.00124
        assertThat(v).contains("  W2A2 IRM(distribution) vs baseline: +1.00 [+0.88, +1.12] → better than the baseline "
                + "(the interval lies above 0).");
        assertThat(v).anySatisfy(s -> assertThat(s).startsWith("  W2A2 DGD vs baseline: +0.03 [")
                .endsWith("→ no measurable difference (the interval contains 0)."));
        assertThat(v).contains("  W2A2 IRM(distribution)+DGD vs baseline: +0.10 (1 seed) → one common seed, no "
                + "interval yet.");
    }
}
