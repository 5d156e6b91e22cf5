package dev.qvit.app.fx;

import dev.qvit.sessions.SessionSummary;
import dev.qvit.sessions.SessionView;
import dev.qvit.sessions.SessionsRoot;
import dev.qvit.viz.fx.ComparisonView;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The sessions browser (File > Sessions…): every session of the sessions folder with its label, model, bits, IRM,
 * DGD, accuracy, steps and state, sortable by any column and filtered by a text; open one in every view, resume a
 * stopped or crashed one, rename, delete (after a confirmation), and keep notes. Lists and writes off the FX thread.
 */
final class SessionsBrowser {
    private final Workbench workbench;
    private final Stage stage = new Stage();
    private final ObservableList<SessionSummary> rows = FXCollections.observableArrayList();
    private final FilteredList<SessionSummary> filtered = new FilteredList<>(rows);
    final TableView<SessionSummary> table = new TableView<>();
    final TextField filter = new TextField();
    final TextArea notes = new TextArea();
    final Label folder = new Label();
    final Label message = new Label();
    final Button open = button("openSession", "Open");
    final Button resume = button("resumeSession", "Resume");
    final Button rename = button("renameSession", "Rename…");
    final Button delete = button("deleteSession", "Delete…");
    final Button compare = button("compareSessions", "Compare");
    /** The last comparison opened (tests look at it). */
    ComparisonView comparison;
    final Button saveNotes = button("saveNotes", "Save notes");

    SessionsBrowser(Workbench workbench, Window owner) {
        this.workbench = workbench;
        stage.initOwner(owner);
        stage.setTitle("Sessions");
        columns();
        SortedList<SessionSummary> sorted = new SortedList<>(filtered);
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setId("sessionsTable");
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No sessions yet: every run in the window or on the command line keeps one."));
        filter.setId("sessionsFilter");
        filter.setPromptText("filter: label, id, state, bits…");
        filter.textProperty().addListener((o, a, b) -> filtered.setPredicate(s -> matches(s, b)));
        notes.setId("sessionNotes");
        notes.setPromptText("notes on the selected session (Markdown)");
        notes.setPrefRowCount(5);
        message.setId("sessionsMessage");
        message.setWrapText(true);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> selected(b));
        table.setRowFactory(t -> {
            var row = new javafx.scene.control.TableRow<SessionSummary>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    openSelected();
                }
            });
            return row;
        });
        open.setOnAction(e -> openSelected());
        resume.setOnAction(e -> selectedOne().ifPresent(s -> {
            workbench.resumeSession(s.id());
            stage.hide();
        }));
        rename.setOnAction(e -> renameSelected());
        compare.setOnAction(e -> compareSelected());
        table.getSelectionModel().getSelectedItems().addListener(
                (javafx.collections.ListChangeListener<SessionSummary>) c -> compare.setDisable(comparable().size() < 2));
        delete.setOnAction(e -> deleteSelected());
        saveNotes.setOnAction(e -> selectedOne().ifPresent(s -> writeNotes(s.id(), notes.getText())));
        Button change = button("changeSessionsFolder", "Change folder…");
        change.setOnAction(e -> changeFolder());
        Button refresh = button("refreshSessions", "Refresh");
        refresh.setOnAction(e -> refresh());
        HBox top = new HBox(8, filter, folder, change, refresh);
        top.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        HBox.setHgrow(filter, Priority.ALWAYS);
        HBox actions = new HBox(8, open, compare, resume, rename, delete);
        HBox notesBar = new HBox(8, saveNotes, message);
        notesBar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox bottom = new VBox(6, actions, notes, notesBar);
        BorderPane root = new BorderPane(table, top, null, bottom, null);
        root.setPadding(new Insets(10));
        BorderPane.setMargin(table, new Insets(8, 0, 8, 0));
        Scene scene = new Scene(root, 1080, 560);
        scene.getStylesheets().addAll(owner.getScene().getStylesheets());
        stage.setScene(scene);
        selected(null);
    }

    private static Button button(String id, String text) {
        Button b = new Button(text);
        b.setId(id);
        return b;
    }

    private void columns() {
        table.getColumns().add(column("name", "Name", SessionSummary::name, 200));
        table.getColumns().add(column("id", "Id", SessionSummary::id, 220));
        table.getColumns().add(column("created", "Created", s -> s.created() == null ? ""
                : s.created().substring(0, Math.min(16, s.created().length())).replace('T', ' '), 130));
        table.getColumns().add(column("model", "Model", SessionSummary::config, 60));
        table.getColumns().add(number("bits", "Bits", s -> s.bits() == null ? null : s.bits().doubleValue(),
                v -> String.valueOf(v.intValue()), "FP", 45));
        table.getColumns().add(column("irm", "IRM", SessionSummary::irm, 90));
        table.getColumns().add(column("dgd", "DGD", SessionSummary::dgd, 60));
        table.getColumns().add(number("accuracy", "Accuracy", s -> Double.isNaN(s.accuracy()) ? null : 100 * s.accuracy(),
                v -> String.format(Locale.ROOT, "%.2f %%", v), "–", 75));
        table.getColumns().add(number("steps", "Steps", s -> (double) s.steps(), v -> String.valueOf(v.longValue()),
                "", 55));
        table.getColumns().add(column("state", "State", s -> s.problem() != null ? "unreadable: " + s.problem()
                : s.state().name().toLowerCase(Locale.ROOT), 90));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
    }

    private static TableColumn<SessionSummary, String> column(String id, String title,
                                                               Function<SessionSummary, String> value, double width) {
        TableColumn<SessionSummary, String> c = new TableColumn<>(title);
        c.setId("col-" + id);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return c;
    }

    /** A numeric column: sorts by value, shows {@code format} of it (or {@code missing}), right-aligned. */
    private static TableColumn<SessionSummary, Double> number(String id, String title,
                                                              Function<SessionSummary, Double> value,
                                                              Function<Double, String> format, String missing,
                                                              double width) {
        TableColumn<SessionSummary, Double> c = new TableColumn<>(title);
        c.setId("col-" + id);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || getTableRow() == null || getTableRow().getItem() == null ? null
                        : v == null ? missing : format.apply(v));
                setStyle("-fx-alignment: CENTER-RIGHT;");
            }
        });
        return c;
    }

    static boolean matches(SessionSummary s, String text) {
        if (text == null || text.isBlank()) {
            return true;
        }
        String haystack = String.join(" ", String.valueOf(s.name()), s.id(), String.valueOf(s.label()),
                String.valueOf(s.config()), s.bits() == null ? "fp" : "w" + s.bits(), String.valueOf(s.irm()),
                String.valueOf(s.dgd()), s.state() == null ? "unreadable" : s.state().name()).toLowerCase(Locale.ROOT);
        for (String word : text.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!haystack.contains(word)) {
                return false;
            }
        }
        return true;
    }

    void show() {
        refresh();
        stage.show();
        stage.toFront();
    }

    Stage stage() {
        return stage;
    }

    /** Reads the sessions folder again, off the FX thread, keeping the selection by id. */
    void refresh() {
        SessionsRoot root = workbench.sessionsRoot();
        folder.setText(root.dir().toString());
        String keep = selectedOne().map(SessionSummary::id).orElse(workbench.settings().lastSession());
        workbench.background("listing sessions…", root::list, list -> {
            rows.setAll(list);
            table.getItems().stream().filter(s -> s.id().equals(keep)).findFirst()
                    .ifPresent(s -> table.getSelectionModel().select(s));
            message.setText(list.size() + " session" + (list.size() == 1 ? "" : "s"));
        });
    }

    private Optional<SessionSummary> selectedOne() {
        return Optional.ofNullable(table.getSelectionModel().getSelectedItem());
    }

    private void selected(SessionSummary s) {
        boolean readable = s != null && s.problem() == null;
        open.setDisable(!readable);
        resume.setDisable(!readable || s.state() == dev.qvit.sessions.MetricsStore.State.FINISHED
                || s.state() == dev.qvit.sessions.MetricsStore.State.RUNNING);
        rename.setDisable(s == null);
        compare.setDisable(comparable().size() < 2);
        delete.setDisable(s == null);
        saveNotes.setDisable(!readable);
        notes.setDisable(!readable);
        notes.clear();
        if (readable) {
            SessionsRoot root = workbench.sessionsRoot();
            workbench.background("reading notes…", () -> {
                try (SessionView v = root.view(s.id())) {
                    return v.notes();
                }
            }, text -> {
                if (s.equals(table.getSelectionModel().getSelectedItem())) {
                    notes.setText(text);
                }
            });
        }
    }

    private void openSelected() {
        selectedOne().filter(s -> s.problem() == null).ifPresent(s -> {
            workbench.showSession(s.id());
            stage.hide();
        });
    }

    private List<SessionSummary> comparable() {
        return table.getSelectionModel().getSelectedItems().stream().filter(s -> s != null && s.problem() == null)
                .toList();
    }

    /** Opens the selected sessions side by side (read off the FX thread). */
    private void compareSelected() {
        List<SessionSummary> chosen = List.copyOf(comparable());
        if (chosen.size() < 2) {
            return;
        }
        SessionsRoot root = workbench.sessionsRoot();
        workbench.background("reading " + chosen.size() + " sessions…", () -> {
            List<ComparisonView.Run> runs = new java.util.ArrayList<>();
            for (SessionSummary s : chosen) {
                boolean unique = chosen.stream().filter(o -> java.util.Objects.equals(o.name(), s.name())).count() == 1;
                try (SessionView v = root.view(s.id())) {
                    runs.add(new ComparisonView.Run(unique && s.name() != null ? s.name() : s.id(), v.steps(), v.epochs(),
                            v.teacherSnapshot().orElse(null), v.lastProbe().map(p -> p.model()).orElse(null)));
                }
            }
            return runs;
        }, runs -> {
            comparison = new ComparisonView(runs);
            Stage window = new Stage();
            window.initOwner(stage);
            window.setTitle("Comparing " + runs.size() + " sessions");
            Scene scene = new Scene(comparison, 1280, 800);
            scene.getStylesheets().addAll(stage.getScene().getStylesheets());
            window.setScene(scene);
            window.show();
            comparisonStage = window;
        });
    }

    /** The window of the last comparison (tests and the screenshot tour look at it). */
    Stage comparisonStage;

    private void renameSelected() {
        selectedOne().ifPresent(s -> {
            TextInputDialog d = new TextInputDialog(s.name() == null ? s.id() : s.name());
            d.initOwner(stage);
            d.setTitle("Rename session");
            d.setHeaderText("A new name for " + s.id() + " (its folder keeps its id)");
            d.showAndWait().map(String::strip).filter(n -> !n.isEmpty()).ifPresent(name -> {
                SessionsRoot root = workbench.sessionsRoot();
                workbench.background("renaming…", () -> {
                    root.rename(s.id(), name);
                    return name;
                }, n -> refresh());
            });
        });
    }

    private void deleteSelected() {
        List<SessionSummary> chosen = List.copyOf(table.getSelectionModel().getSelectedItems());
        if (chosen.isEmpty()) {
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(stage);
        a.setTitle("Delete sessions");
        a.setHeaderText("Delete " + (chosen.size() == 1 ? "session " + chosen.get(0).id() : chosen.size() + " sessions")
                + " and everything in " + (chosen.size() == 1 ? "its folder" : "their folders") + "?");
        a.setContentText("Checkpoints, probe snapshots, numbers and notes are removed; this cannot be undone.");
        if (a.showAndWait().filter(b -> b == ButtonType.OK).isEmpty()) {
            return;
        }
        SessionsRoot root = workbench.sessionsRoot();
        workbench.background("deleting…", () -> {
            for (SessionSummary s : chosen) {
                root.delete(s.id());
            }
            return chosen.size();
        }, n -> refresh());
    }

    private void writeNotes(String id, String text) {
        SessionsRoot root = workbench.sessionsRoot();
        workbench.background("saving notes…", () -> {
            root.writeNotes(id, text);
            return id;
        }, saved -> message.setText("Notes of " + saved + " saved."));
    }

    private void changeFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Sessions folder");
        java.io.File dir = chooser.showDialog(stage);
        if (dir != null) {
            workbench.setSessionsRoot(dir.toPath());
            refresh();
        }
    }
}
