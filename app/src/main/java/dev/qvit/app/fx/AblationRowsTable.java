package dev.qvit.app.fx;

import dev.qvit.model.experiment.AblationTable;
import dev.qvit.records.AblationRow;
import java.util.List;
import java.util.Locale;
import javafx.scene.control.TableView;

/**
 * The ablation table as the studio and the demo show it: per bits and variant the accuracy over seeds, the paired
 * difference to the baseline with its 95 % interval (✱ where it excludes 0), the difference to the teacher, σS/σT
 * of q and k per block, size, BOPs, oscillation and SQNR; columns sized to their content.
 */
final class AblationRowsTable {
    private AblationRowsTable() {
    }

    static TableView<AblationRow> create() {
        TableView<AblationRow> t = new TableView<>();
        t.getColumns().add(ColumnFit.column("run", AblationRow::label, 215));
        t.getColumns().add(ColumnFit.column("seeds", r -> String.valueOf(r.seeds().size()), 64));
        t.getColumns().add(ColumnFit.column("accuracy %", AblationRowsTable::accuracy, 108));
        t.getColumns().add(ColumnFit.column("Δ vs baseline [95 % CI]", AblationRowsTable::vsBaseline, 178));
        t.getColumns().add(ColumnFit.column("Δ vs FP", r -> String.format(Locale.ROOT, "%+.2f", 100 * r.vsTeacher()), 76));
        t.getColumns().add(ColumnFit.column("σq S/T per block", r -> joined(r.queryStdRatio()), 142));
        t.getColumns().add(ColumnFit.column("σk S/T per block", r -> joined(r.keyStdRatio()), 142));
        t.getColumns().add(ColumnFit.column("weights KB", r -> String.format(Locale.ROOT, "%.1f",
                r.cost().weightBits() / 8e3), 80));
        t.getColumns().add(ColumnFit.column("GBOPs", r -> String.format(Locale.ROOT, "%.3f", r.cost().bops() / 1e9), 70));
        t.getColumns().add(ColumnFit.column("oscillation ‰", r -> Double.isNaN(r.weightOscillation()) ? "–"
                : String.format(Locale.ROOT, "%.3f", 1000 * r.weightOscillation()), 90));
        t.getColumns().add(ColumnFit.column("SQNR dB", r -> Double.isNaN(r.meanSqnrDb()) ? "–"
                : String.format(Locale.ROOT, "%.1f", r.meanSqnrDb()), 70));
        return t;
    }

    static String accuracy(AblationRow r) {
        return Double.isNaN(r.accuracyStd()) ? String.format(Locale.ROOT, "%.2f", 100 * r.accuracy())
                : String.format(Locale.ROOT, "%.2f ± %.2f", 100 * r.accuracy(), 100 * r.accuracyStd());
    }

    static String vsBaseline(AblationRow r) {
        return AblationTable.difference(r.vsBaseline()).replace("**", "")
                + (r.vsBaseline() != null && r.vsBaseline().excludesZero() ? "  ✱" : "");
    }

    private static String joined(List<Double> v) {
        return String.join(" ", v.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    }
}
