package dev.qvit.app.fx;

import dev.qvit.app.task.RunSettings;
import dev.qvit.model.data.FashionMnist;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * What to run: model size, data, bits, IRM, DGD with lambda, epochs, learning rate, seed; train a teacher or
 * quantize a student; pause, resume, cancel. A setting out of range is refused with its reason under the field.
 * FX thread only.
 */
public final class ExperimentPanel extends VBox {
    final ComboBox<String> model = new ComboBox<>();
    final ComboBox<String> data = new ComboBox<>();
    final TextField images = field("trainImages", "0");
    final ComboBox<Integer> bits = new ComboBox<>();
    final CheckBox irm = new CheckBox("IRM");
    final ComboBox<String> irmForm = new ComboBox<>();
    final CheckBox dgd = new CheckBox("DGD");
    final TextField lambda = field("lambda", "0.1");
    final TextField epochs = field("epochs", "2");
    final TextField lr = field("lr", "");
    final TextField seed = field("seed", "0");
    final Label teacher = new Label("teacher: none yet");
    final Button trainTeacher = button("trainTeacher", "Train teacher");
    final Button quantize = button("quantize", "Quantize student");
    final Button pause = button("pause", "Pause");
    final Button cancel = button("cancel", "Cancel");
    private final Map<String, Label> errors = new HashMap<>();
    private final GridPane form = new GridPane();
    private int row;

    public ExperimentPanel() {
        super(8);
        setPadding(new Insets(10));
        setPrefWidth(280);
        setMinWidth(250);
        model.getItems().addAll("tiny", "small");
        model.setValue("tiny");
        model.setId("modelSize");
        data.getItems().addAll("bundled", "full");
        data.setValue("bundled");
        data.setId("dataSet");
        bits.getItems().addAll(2, 3, 4, 8);
        bits.setValue(4);
        bits.setId("bits");
        irmForm.getItems().addAll("token", "distribution");
        irmForm.setValue(RunSettings.defaults().irmForm());
        irm.setSelected(true);
        irm.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        dgd.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        irm.setId("irm");
        dgd.setSelected(true);
        dgd.setId("dgd");
        irmForm.disableProperty().bind(irm.selectedProperty().not());
        lambda.disableProperty().bind(dgd.selectedProperty().not());
        form.setHgap(6);
        form.setVgap(2);
        Label title = new Label("EXPERIMENT");
        title.getStyleClass().add("section-title");
        add("model", "model size", model, "tiny: dim 64, 4 blocks, 4 heads; small: dim 96, 6 blocks, 3 heads");
        add("data", "data", data, "bundled: the 10 % Fashion-MNIST subset shipped with the workbench; full: "
                + "the 60k/10k set (apt-get install dataset-fashion-mnist)");
        add("images", "train images", images, "use only the first N training images (0 = all)");
        add("bits", "bits", bits, "weights and activations of the blocks, incl. q, k, v and attention; patch "
                + "embedding and head stay at 8 bits");
        add("irm", "", new HBox(6, irm, irmForm), "Information Rectification: re-normalise q and k before their "
                + "quantizers (token: official code, distribution: paper)");
        add("lambda", "", new HBox(6, dgd, new Label("λ"), lambda), "Distribution-Guided Distillation of the q/k "
                + "similarity matrices, weight λ");
        add("epochs", "epochs", epochs, "passes over the training images");
        lr.setPromptText("recipe");
        add("lr", "learning rate", lr, "peak AdamW learning rate; empty = the method doc's recipe (teacher 1e-3, "
                + "student 2e-4)");
        add("seed", "seed", seed, "seeds initialisation, shuffling and augmentation");
        teacher.setWrapText(true);
        teacher.setId("teacherInfo");
        HBox control = new HBox(6, pause, cancel);
        trainTeacher.setMaxWidth(Double.MAX_VALUE);
        quantize.setMaxWidth(Double.MAX_VALUE);
        quantize.setDefaultButton(true);
        getChildren().addAll(title, form, teacher, trainTeacher, quantize, control);
        for (TextField f : new TextField[]{images, lambda, epochs, lr, seed}) {
            f.textProperty().addListener((o, a, b) -> validate(RunSettings.Kind.STUDENT));
        }
        data.setOnAction(e -> validate(RunSettings.Kind.STUDENT));
    }

    private void add(String key, String label, Node field, String help) {
        Label l = dev.qvit.viz.fx.WorkbenchView.fixed(label);
        Tooltip.install(l, new Tooltip(help));
        if (field instanceof javafx.scene.control.Control c) {
            c.setTooltip(new Tooltip(help));
        }
        Label error = new Label();
        error.getStyleClass().add("field-error");
        error.setId("error-" + key);
        error.setWrapText(true);
        error.setManaged(false);
        error.setVisible(false);
        errors.put(key, error);
        form.add(l, 0, row);
        form.add(field, 1, row++);
        form.add(error, 0, row++, 2, 1);
    }

    private static TextField field(String id, String text) {
        TextField f = new TextField(text);
        f.setId(id);
        f.setPrefColumnCount(7);
        return f;
    }

    private static Button button(String id, String text) {
        Button b = new Button(text);
        b.setId(id);
        return b;
    }

    /** The settings of a run, or empty with every problem shown next to its field. */
    public Optional<RunSettings> settings(RunSettings.Kind kind) {
        errors.values().forEach(e -> show(e, null));
        Map<String, String> problems = new HashMap<>();
        int n = parseInt("images", images, problems);
        double lam = parseDouble("lambda", lambda, problems);
        int ep = parseInt("epochs", epochs, problems);
        double rate = lr.getText().isBlank() ? (kind == RunSettings.Kind.TEACHER ? 1e-3 : 2e-4)
                : parseDouble("lr", lr, problems);
        long s = parseInt("seed", seed, problems);
        if (data.getValue().equals("full") && !FashionMnist.fullSetInstalled()) {
            problems.put("data", "the full set is not installed: apt-get install dataset-fashion-mnist");
        }
        RunSettings settings = null;
        if (problems.isEmpty()) {
            settings = new RunSettings(kind, model.getValue(), bits.getValue(), irm.isSelected(), irmForm.getValue(),
                    dgd.isSelected(), lam, ep, rate, s, data.getValue(), n, Runtime.getRuntime().availableProcessors());
            problems.putAll(settings.problems());
        }
        problems.forEach((k, v) -> show(errors.getOrDefault(k, errors.get("model")), v));
        return problems.isEmpty() ? Optional.of(settings) : Optional.empty();
    }

    /** Shows the problems of the current input without starting anything. */
    public boolean validate(RunSettings.Kind kind) {
        return settings(kind).isPresent();
    }

    /** The first shown problem, or null. */
    public String firstProblem() {
        return errors.values().stream().filter(Label::isVisible).map(Label::getText).findFirst().orElse(null);
    }

    private static void show(Label error, String message) {
        error.setText(message == null ? "" : message);
        error.setVisible(message != null);
        error.setManaged(message != null);
    }

    private static int parseInt(String key, TextField f, Map<String, String> problems) {
        try {
            return Integer.parseInt(f.getText().trim());
        } catch (NumberFormatException e) {
            problems.put(key, "“" + f.getText() + "” is not a whole number");
            return 0;
        }
    }

    private static double parseDouble(String key, TextField f, Map<String, String> problems) {
        try {
            double v = Double.parseDouble(f.getText().trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            problems.put(key, "“" + f.getText() + "” is not a number");
            return 0;
        }
    }

    /** Enables the actions that make sense while a run is (or is not) going. */
    public void setRunning(boolean running, boolean paused) {
        trainTeacher.setDisable(running);
        quantize.setDisable(running);
        pause.setDisable(!running);
        cancel.setDisable(!running);
        pause.setText(paused ? "Resume" : "Pause");
        form.setDisable(running);
    }
}
