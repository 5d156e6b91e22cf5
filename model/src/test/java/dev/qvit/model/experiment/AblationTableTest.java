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
        // then the columns are baseline, IRM, DGD and the base cell shows mean ± sample std over its two seeds
        assertThat(md).contains("| bits | baseline | IRM(token) | DGD |")
                .contains("| W2A2 | 77.00 ± 1.41 (2) | 75.00 (1) | 77.00 (1) |");
    }

    @Test
    void everyTableNamesTheIrmFormInTheRunLabel() {
        // given the same variant trained with both IRM forms
        List<CellResult> cells = List.of(cell(4, "irm+dgd", 0, 0.84),
                new CellResult(4, "irm+dgd", 0, "distribution", 0.1, 0.88, Double.NaN, List.of(), List.of(), 1),
                cell(4, "base", 0, 0.87));
        // then the markdown keeps them apart, and both CSV files start with the label
        assertThat(AblationTable.markdown(cells, 0.89, "recipe"))
                .contains("| bits | baseline | IRM(token)+DGD | IRM(distribution)+DGD |")
                .contains("| W4A4 | 87.00 (1) | 84.00 (1) | 88.00 (1) |");
        assertThat(AblationTable.cellsCsv(cells).lines().toList()).first().asString().startsWith("label,bits,variant");
        assertThat(AblationTable.cellsCsv(cells)).contains("\nW4A4 IRM(token)+DGD,4,irm+dgd,0,token,")
                .contains("\nW4A4 IRM(distribution)+DGD,4,irm+dgd,0,distribution,").contains("\nW4A4 baseline,4,base,");
        assertThat(AblationTable.blocksCsv(cells)).startsWith("label,bits,variant,seed,block,");
    }
}
