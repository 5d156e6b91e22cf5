package dev.qvit.app.fx;

import atlantafx.base.theme.Styles;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.ModelPresets;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.model.vit.VitConfig;
import java.util.Locale;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.viz.fx.WorkbenchView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * What to run: model size, data, bits, IRM and its form, DGD with lambda, epochs, learning rate, seed; train a
 * teacher or quantize a student; pause, resume, cancel. A setting out of range is refused: its field is marked and
 * the reason is listed under the buttons, so that nothing the user is about to click moves. The defaults are
 * {@link #DEFAULTS}: a 4-bit student with the paper's distribution-form IRM and DGD, two epochs on the bundled
 * data (token IRM, the official code's form, cost about 3 points in the README's ablation). The settings become an
 * {@link ExperimentSpec}, whose problems are the ones shown. FX thread only.
 */
public final class ExperimentPanel extends VBox {
    static final ExperimentSpec DEFAULTS = ExperimentSpec.student(VitConfig.tiny(), ExperimentSpec.Data.all("bundled"),
            ExperimentSpec.BUNDLED_TEACHER, QuantizationConfig.of(4, QuantizationConfig.Rectification.DISTRIBUTION),
            DistillationSettings.on(0.1), 2, 0);
    final ComboBox<String> model = new ComboBox<>();
    final ComboBox<String> data = new ComboBox<>();
    final TextField images = field("trainImages", DEFAULTS.data().trainLimit() == 0 ? "" : DEFAULTS.data().trainLimit());
    final ComboBox<Integer> bits = new ComboBox<>();
    final CheckBox irm = new CheckBox("rectify q and k");
    final ComboBox<String> irmForm = new ComboBox<>();
    final CheckBox dgd = new CheckBox("distil q/k maps");
    final TextField lambda = field("lambda", DEFAULTS.distillation().lambda());
    final TextField epochs = field("epochs", DEFAULTS.training().epochs());
    final TextField lr = field("lr", "");
    final TextField seed = field("seed", DEFAULTS.training().seed());
    final Label teacher = new Label("teacher: none yet");
    final Button trainTeacher = button("trainTeacher", "Train teacher");
    final Button quantize = button("quantize", "Quantize student");
    final Button pause = button("pause", "Pause");
    final Button cancel = button("cancel", "Cancel");
    /** Field key -> the field's label text (names the field in its error) and the input marked when invalid. */
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, Node> inputs = new LinkedHashMap<>();
    private final Map<String, Label> errors = new LinkedHashMap<>();
    private final VBox problems = new VBox(2);
    private final GridPane form = new GridPane();
    private Consumer<String> onProblemsChanged = p -> { };
    /** What a student's spec names as its teacher; null before one is loaded. */
    private String teacherReference;
    private int row;

    public ExperimentPanel() {
        super(8);
        setPadding(new Insets(10));
        setPrefWidth(280);
        setMinWidth(250);
        choices();
        form.setHgap(6);
        form.setVgap(6);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints inputsColumn = new ColumnConstraints();
        inputsColumn.setHgrow(Priority.ALWAYS);
        inputsColumn.setFillWidth(true);
        form.getColumnConstraints().addAll(labels, inputsColumn);
        Label title = new Label("EXPERIMENT");
        title.getStyleClass().add("section-title");
        fields();
        teacher.setWrapText(true);
        teacher.setId("teacherInfo");
        HBox control = new HBox(6, pause, cancel);
        for (Button b : new Button[]{pause, cancel}) {             // "Pause" becomes "Resume": nothing moves
            b.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(b, Priority.ALWAYS);
        }
        trainTeacher.setMaxWidth(Double.MAX_VALUE);
        quantize.setMaxWidth(Double.MAX_VALUE);
        problems.setId("problems");
        getChildren().addAll(title, form, trainTeacher, quantize, control, problems, teacher);
        for (TextField f : new TextField[]{images, lambda, epochs, lr, seed}) {
            f.textProperty().addListener((o, a, b) -> validate(ExperimentSpec.Kind.STUDENT));
        }
        data.setOnAction(e -> validate(ExperimentSpec.Kind.STUDENT));
    }

    private void choices() {
        model.getItems().addAll(ModelPresets.NAMES);
        model.setValue(DEFAULTS.model().presetName());
        model.setId("modelSize");
        data.getItems().addAll("bundled", "full");
        data.setValue(DEFAULTS.data().source());
        data.setId("dataSet");
        bits.getItems().addAll(2, 3, 4, 8);
        bits.setValue(DEFAULTS.quantization().bits());
        bits.setId("bits");
        irmForm.getItems().addAll("distribution", "token");
        irmForm.setValue(DEFAULTS.quantization().rectification().name().toLowerCase(Locale.ROOT));
        irmForm.setId("irmForm");
        irm.setSelected(DEFAULTS.quantization().rectified());
        irm.setId("irm");
        dgd.setSelected(DEFAULTS.distillation().enabled());
        dgd.setId("dgd");
        for (Control c : new Control[]{irm, dgd, model, data, bits, irmForm}) {
            c.setMinWidth(Region.USE_PREF_SIZE);                // never cut to "bundl…"
        }
        irmForm.disableProperty().bind(irm.selectedProperty().not());
        lambda.disableProperty().bind(dgd.selectedProperty().not());
    }

    private void fields() {
        add("model", "model size", model, "tiny: dim 64, 4 blocks, 4 heads; small: dim 96, 6 blocks, 3 heads");
        add("data", "data", data, "bundled: the 10 % Fashion-MNIST subset shipped with the workbench; full: "
                + "the 60k/10k set (apt-get install dataset-fashion-mnist)");
        images.setPromptText("all");
        add("images", "train images", images, "use only the first N training images (empty or 0 = all)");
        add("bits", "bits", bits, "weights and activations of the blocks, incl. q, k, v and attention; patch "
                + "embedding and head stay at 8 bits");
        String irmHelp = "Information Rectification: re-normalise q and k before their quantizers (distribution: the "
                + "paper's per-head statistics; token: the official code's per-token LayerNorm, about 3 points worse "
                + "in the README's ablation)";
        add("irmOn", "IRM", irm, irmHelp);
        add("irm", "IRM form", irmForm, irmHelp);
        String dgdHelp = "Distribution-Guided Distillation of the q/k similarity matrices, weight λ";
        add("dgd", "DGD", dgd, dgdHelp);
        add("lambda", "λ", lambda, dgdHelp);
        add("epochs", "epochs", epochs, "passes over the training images");
        lr.setPromptText("recipe");
        add("lr", "learning rate", lr, "peak AdamW learning rate; empty = the method doc's recipe (teacher 1e-3, "
                + "student 2e-4)");
        add("seed", "seed", seed, "seeds initialisation, shuffling and augmentation");
    }

    private void add(String key, String label, Node field, String help) {
        Label l = WorkbenchView.fixed(label);
        Tooltip.install(l, new Tooltip(help));
        if (field instanceof Control c) {
            c.setTooltip(new Tooltip(help));
        }
        names.put(key, label);
        inputs.put(key, field);
        if (field instanceof Region r && !(field instanceof CheckBox)) {
            r.setMaxWidth(Double.MAX_VALUE);                 // inputs fill the column, none is wider than it
        }
        form.add(l, 0, row);
        form.add(field, 1, row++);
    }

    private static TextField field(String id, Object text) {
        TextField f = new TextField(String.valueOf(text));
        f.setId(id);
        f.setPrefColumnCount(5);
        return f;
    }

    private static Button button(String id, String text) {
        Button b = new Button(text);
        b.setId(id);
        return b;
    }

    /** Called with the first problem (or null) whenever the shown problems are recomputed. */
    void setOnProblemsChanged(Consumer<String> handler) {
        onProblemsChanged = handler;
    }

    /** Shows a teacher's size, so that its students are of that size (a custom one leaves the box as it is). */
    void showModel(ModelConfig teacher) {
        if (model.getItems().contains(teacher.presetName())) {
            model.setValue(teacher.presetName());
        }
    }

    /** Names the teacher that student specs record (see {@link TeacherSource#reference()}). */
    void setTeacherReference(String reference) {
        teacherReference = reference;
    }

    /**
     * The experiment the fields describe, or empty with every problem listed under the buttons and its field
     * marked. A student run names the teacher set by {@link #setTeacherReference} (the bundled one before any:
     * starting without a teacher is refused by the run itself).
     */
    public Optional<ExperimentSpec> spec(ExperimentSpec.Kind kind) {
        return spec(kind, teacherReference != null ? teacherReference : ExperimentSpec.BUNDLED_TEACHER);
    }

    private Optional<ExperimentSpec> spec(ExperimentSpec.Kind kind, String teacherName) {
        Map<String, String> found = new LinkedHashMap<>();
        int n = images.getText().isBlank() ? 0 : parseInt("images", images, found);
        double lam = parseDouble("lambda", lambda, found);
        int ep = parseInt("epochs", epochs, found);
        boolean teacherRun = kind == ExperimentSpec.Kind.TEACHER;
        double rate = lr.getText().isBlank() ? (teacherRun ? 1e-3 : 2e-4) : parseDouble("lr", lr, found);
        long s = parseInt("seed", seed, found);
        if (data.getValue().equals("full") && !FashionMnist.fullSetInstalled()) {
            found.put("data", "the full set is not installed: apt-get install dataset-fashion-mnist");
        }
        ExperimentSpec spec = null;
        if (found.isEmpty()) {
            ExperimentSpec.Data d = new ExperimentSpec.Data(data.getValue(), n, 0);
            ModelConfig size = ModelPresets.named(model.getValue());
            spec = teacherRun
                    ? new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, kind, size, d, null, null, null,
                    ExperimentSpec.teacherRecipe(ep, rate, s))
                    : new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, kind, size, d, teacherName,
                    QuantizationConfig.of(bits.getValue(), irm.isSelected()
                            ? QuantizationConfig.Rectification.parse(irmForm.getValue())
                            : QuantizationConfig.Rectification.NONE),
                    DistillationSettings.of(dgd.isSelected(), lam, DistributionGuidedDistillation.Norm.HEAD),
                    ExperimentSpec.qatRecipe(ep, rate, s));
            found.putAll(spec.problems());
        }
        show(found);
        return found.isEmpty() ? Optional.of(spec) : Optional.empty();
    }

    /** Shows the problems of the current input without starting anything (a missing teacher is not one yet). */
    public boolean validate(ExperimentSpec.Kind kind) {
        return spec(kind).isPresent();
    }

    /** The first shown problem, or null. */
    public String firstProblem() {
        return errors.values().stream().findFirst().map(Label::getText).orElse(null);
    }

    private void show(Map<String, String> found) {
        errors.clear();
        problems.getChildren().clear();
        inputs.forEach((key, input) -> input.pseudoClassStateChanged(Styles.STATE_DANGER, false));
        found.forEach((key, message) -> {
            String name = names.getOrDefault(key, key);
            Label error = new Label(message.startsWith(name) ? message : name + ": " + message);
            error.getStyleClass().add("field-error");
            error.setId("error-" + key);
            error.setWrapText(true);
            errors.put(key, error);
            problems.getChildren().add(error);
            Node input = inputs.get(key);
            if (input != null) {
                input.pseudoClassStateChanged(Styles.STATE_DANGER, true);   // a red border of the same size
            }
        });
        onProblemsChanged.accept(firstProblem());
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
