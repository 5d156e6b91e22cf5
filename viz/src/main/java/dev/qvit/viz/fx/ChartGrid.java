package dev.qvit.viz.fx;

import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;

/** A grid of charts whose columns and rows take fixed shares (percent) of the view. */
final class ChartGrid {
    private ChartGrid() {
    }

    /** Equal column widths; row heights in percent. */
    static GridPane of(int columns, double... rowPercents) {
        GridPane grid = new GridPane();
        grid.setHgap(4);
        grid.setVgap(4);
        for (int c = 0; c < columns; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setPercentWidth(100.0 / columns);
            grid.getColumnConstraints().add(cc);
        }
        for (double h : rowPercents) {
            RowConstraints rc = new RowConstraints();
            rc.setPercentHeight(h);
            rc.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(rc);
        }
        return grid;
    }
}
