package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.vit.VitConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class AblationTableTest {

    private static CellResult cell(int bits, String variant, long seed, String irmForm, double accuracy) {
        return new CellResult(bits, variant, seed, irmForm, 0.1, accuracy, Double.NaN, List.of(), List.of(), 1);
    }

    private static String table(List<CellResult> cells) {
        return AblationTable.statisticsMarkdown(AblationStatistics.rows(cells, 0.89, VitConfig.tiny(), 8), 0.89,
                "recipe");
    }

    @Test
    void rowsComeInThePapersOrderWhateverOrderTheCellsFinished() {
        // given cells read back in file-name order (dgd before irm, 2 bits before 4)
        List<CellResult> cells = List.of(cell(2, "dgd", 0, "token", 0.77), cell(2, "irm", 0, "token", 0.75),
                cell(2, "base", 0, "token", 0.78), cell(2, "base", 1, "token", 0.76), cell(4, "base", 0, "token", 0.87));
        // when the markdown is written
        List<String> runs = table(cells).lines().filter(l -> l.startsWith("| W"))
                .map(l -> l.substring(2, l.indexOf(" |", 2))).toList();
        // then 4 bits come first, then baseline, IRM, DGD; the baseline is mean ± sample std over its two seeds
        assertThat(runs).containsExactly("W4A4 baseline", "W2A2 baseline", "W2A2 IRM(token)", "W2A2 DGD");
        assertThat(table(cells)).contains("| W2A2 baseline | 2 | 77.00 ± 1.41 |")
                .contains("| W2A2 DGD | 1 | 77.00 | -1.00 (1 seed) | -12.00 |");
    }

    @Test
    void everyTableNamesTheIrmFormInTheRunLabel() {
        // given the same variant trained with both IRM forms
        List<CellResult> cells = List.of(cell(4, "irm+dgd", 0, "token", 0.84),
                cell(4, "irm+dgd", 0, "distribution", 0.88), cell(4, "base", 0, "token", 0.87));
        // then the markdown keeps them apart, and both CSV files start with the label
        assertThat(table(cells)).contains("| W4A4 IRM(token)+DGD | 1 | 84.00 |")
                .contains("| W4A4 IRM(distribution)+DGD | 1 | 88.00 |");
        assertThat(AblationTable.cellsCsv(cells).lines().toList()).first().asString().startsWith("label,bits,variant");
        assertThat(AblationTable.cellsCsv(cells)).contains("\nW4A4 IRM(token)+DGD,4,irm+dgd,0,token,")
                .contains("\nW4A4 IRM(distribution)+DGD,4,irm+dgd,0,distribution,").contains("\nW4A4 baseline,4,base,");
        assertThat(AblationTable.blocksCsv(cells)).startsWith("label,bits,variant,seed,block,");
    }
}
