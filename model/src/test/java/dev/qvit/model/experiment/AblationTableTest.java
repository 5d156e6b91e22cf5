package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AblationTableTest {

    private static CellResult cell(int bits, String variant, long seed, double accuracy) {
        return new CellResult(bits, variant, seed, "token", 0.1, accuracy, Double.NaN, List.of(), List.of(), 1);
    }

    @Test
    void accuracyTableListsVariantsInThePapersOrderWhateverOrderTheCellsFinished() {
        // given cells read back in file-name order (dgd before irm)
        List<CellResult> cells = List.of(cell(2, "dgd", 0, 0.77), cell(2, "irm", 0, 0.75), cell(2, "base", 0, 0.78),
                cell(2, "base", 1, 0.76));
        // when the markdown is written
        String md = AblationTable.markdown(cells, 0.89, "recipe");
        // then the columns are base, irm, dgd and the base cell shows mean ± sample std over its two seeds
        assertThat(md).contains("| bits | base | irm | dgd |")
                .contains("| 2 | 77.00 ± 1.41 (2) | 75.00 (1) | 77.00 (1) |");
    }
}
