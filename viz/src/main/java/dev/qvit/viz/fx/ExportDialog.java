package dev.qvit.viz.fx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Screen;
import javafx.stage.Window;

/**
 * Where to export a chart: a folder (typed, or browsed in the list of its subfolders) and a file name, in a small
 * window that always fits the screen (the system's file chooser was taller than an 800-pixel screen). An existing
 * file is named before it is replaced. Never blocks: the chosen file goes to a callback. FX thread only.
 */
final class ExportDialog extends Dialog<Path> {
    private static final double WIDTH = 520;
    private static final double HEIGHT = 420;
    private final TextField folder = new TextField();
    private final TextField name = new TextField();
    private final ListView<Path> entries = new ListView<>();
    private final Label message = new Label();
    private final String extension;

    ExportDialog(Window owner, String format, Path startFolder, String suggestedName) {
        this.extension = "." + format.toLowerCase();
        initOwner(owner);
        setTitle("Export " + format);
        setHeaderText(null);
        setResizable(true);
        folder.setId("exportFolder");
        name.setId("exportName");
        entries.setId("exportEntries");
        message.setId("exportMessage");
        message.setWrapText(true);
        name.setText(suggestedName);
        Button up = new Button("Up");
        up.setOnAction(e -> open(currentFolder().getParent()));
        folder.setOnAction(e -> open(currentFolder()));
        HBox.setHgrow(folder, Priority.ALWAYS);
        HBox folderRow = new HBox(6, new Label("Folder"), folder, up);
        folderRow.setAlignment(Pos.CENTER_LEFT);
        HBox nameRow = new HBox(6, new Label("File name"), name);
        nameRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(name, Priority.ALWAYS);
        entries.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.getFileName() + (Files.isDirectory(p) ? "/" : ""));
            }
        });
        entries.setOnMouseClicked(e -> {
            Path p = entries.getSelectionModel().getSelectedItem();
            if (p != null && e.getClickCount() == 2 && Files.isDirectory(p)) {
                open(p);
            } else if (p != null && !Files.isDirectory(p)) {
                name.setText(p.getFileName().toString());
            }
        });
        name.textProperty().addListener((o, a, b) -> check());
        VBox content = new VBox(8, folderRow, entries, nameRow, message);
        VBox.setVgrow(entries, Priority.ALWAYS);
        content.setPadding(new Insets(4));
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().addAll(new ButtonType("Export", ButtonType.OK.getButtonData()),
                ButtonType.CANCEL);
        getDialogPane().lookupButton(getDialogPane().getButtonTypes().get(0)).setId("exportConfirm");
        getDialogPane().setPrefSize(WIDTH, HEIGHT);
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        getDialogPane().setMaxHeight(Math.min(HEIGHT, screen.getHeight() - 80));
        setResultConverter(button -> button != null && button.getButtonData().isDefaultButton() ? target() : null);
        open(startFolder);
    }

    /** Shows the dialog; {@code chosen} receives the file once the user confirms (not on cancel). */
    void whenChosen(Consumer<Path> chosen) {
        setOnHidden(e -> {
            if (getResult() != null) {
                chosen.accept(getResult());
            }
        });
        show();
    }

    private Path currentFolder() {
        return Path.of(folder.getText().isBlank() ? System.getProperty("user.home") : folder.getText().trim())
                .toAbsolutePath().normalize();
    }

    private void open(Path dir) {
        if (dir == null) {
            return;
        }
        folder.setText(dir.toString());
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> shown = list.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(extension))
                    .sorted(Comparator.comparing((Path p) -> !Files.isDirectory(p)).thenComparing(Path::getFileName))
                    .toList();
            entries.getItems().setAll(shown);
        } catch (IOException e) {
            entries.getItems().clear();
        }
        check();
    }

    /** The file to write: the folder and the name, with the format's extension. */
    Path target() {
        String n = name.getText().trim();
        return currentFolder().resolve(n.toLowerCase().endsWith(extension) ? n : n + extension);
    }

    /** Says what Export would do wrong (no folder, no name) or replace; disables it when it cannot work. */
    private void check() {
        Path dir = currentFolder();
        String problem = !Files.isDirectory(dir) ? "There is no folder " + dir + "."
                : name.getText().isBlank() ? "Give the file a name." : null;
        boolean replaces = problem == null && Files.exists(target());
        message.setText(problem != null ? problem : replaces ? target().getFileName() + " exists: Export replaces it."
                : "");
        getDialogPane().lookupButton(getDialogPane().getButtonTypes().get(0)).setDisable(problem != null);
    }
}
