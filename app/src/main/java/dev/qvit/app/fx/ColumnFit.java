package dev.qvit.app.fx;

import java.util.function.Function;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

/**
 * Sizes a table's text columns to their widest header or value in the table's own font, so that nothing is cut to
 * "…" (a wide table scrolls instead). A column takes part when it was made by {@link #column}.
 */
final class ColumnFit {
    /** Cell padding and the header's sort-arrow room, in pixels at the default font size. */
    private static final double CELL_PADDING = 22;
    private static final double HEADER_PADDING = 30;
    private static final String VALUE = "columnFit.value";
    private static final String MINIMUM = "columnFit.minimum";

    private ColumnFit() {
    }

    /** A text column whose values {@link #fit} can measure. */
    static <S> TableColumn<S, String> column(String name, Function<S, String> value, double width) {
        TableColumn<S, String> c = new TableColumn<>(name);
        c.setCellValueFactory(x -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(x.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        c.getProperties().put(VALUE, value);
        c.getProperties().put(MINIMUM, width);
        return c;
    }

    /** Widens every column made by {@link #column} to its content; the minimum is the width it was made with. */
    @SuppressWarnings("unchecked")
    static <S> void fit(TableView<S> table) {
        Font font = font(table);
        Font header = Font.font(font.getFamily(), FontWeight.BOLD, font.getSize());
        double scale = font.getSize() / Font.getDefault().getSize();
        for (TableColumn<S, ?> c : table.getColumns()) {
            if (!(c.getProperties().get(VALUE) instanceof Function<?, ?> f)) {
                continue;
            }
            Function<S, String> value = (Function<S, String>) f;
            double w = width(c.getText(), header) + HEADER_PADDING * scale;
            for (S row : table.getItems()) {
                w = Math.max(w, width(value.apply(row), font) + CELL_PADDING * scale);
            }
            c.setPrefWidth(Math.ceil(Math.max(w, (Double) c.getProperties().get(MINIMUM))));
        }
    }

    static double width(String text, Font font) {
        Text t = new Text(text);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    /** The font the table's cells are drawn in (after CSS), else the default. */
    private static Font font(TableView<?> table) {
        return table.lookup(".table-cell") instanceof Labeled cell ? cell.getFont() : Font.getDefault();
    }
}
