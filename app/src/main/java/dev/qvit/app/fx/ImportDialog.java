package dev.qvit.app.fx;

import dev.qvit.model.experiment.PostTrainingQuantization;
import dev.qvit.model.quant.QuantizationConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/**
 * What to do with an RGB model opened from a file (a timm DeiT): the folder of images it is calibrated and probed
 * on, the bits of its post-training quantization (or none) and whether IRM's distribution form is inserted. OK
 * hands a checked {@link PostTrainingQuantization.Spec} on; a setting out of range is said in the dialog.
 */
final class ImportDialog {
    static final String FULL_PRECISION = "full precision only";
    private final Dialog<ButtonType> dialog = new Dialog<>();
    final TextField folder = new TextField();
    final ComboBox<String> bits = new ComboBox<>();
    final CheckBox irm = new CheckBox("IRM, distribution form (each head's q and k rectified to the "
            + "teacher's mean and σ on the calibration images)");
    final Spinner<Integer> calibration = new Spinner<>(1, 1024, PostTrainingQuantization.CALIBRATION_IMAGES);
    final Spinner<Integer> probe = new Spinner<>(1, 64, PostTrainingQuantization.PROBE_IMAGES);
    final TextField heads = new TextField("0");
    private final Label problem = new Label();
    private final Path model;

    ImportDialog(Window owner, Path model) {
        this.model = model;
        dialog.initOwner(owner);
        dialog.setTitle("Open " + model.getFileName());
        dialog.setHeaderText("Quantize " + model.getFileName() + " after training, on your images");
        folder.setId("importFolder");
        folder.setPromptText("a folder of PNG/JPEG images (a folder per class gives labels)");
        folder.setPrefColumnCount(32);
        Button choose = new Button("Choose…");
        choose.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Images to calibrate and probe on");
            File f = chooser.showDialog(dialog.getDialogPane().getScene().getWindow());
            if (f != null) {
                folder.setText(f.getAbsolutePath());
            }
        });
        bits.setId("importBits");
        bits.getItems().setAll(List.of("4 bits", "3 bits", "2 bits", "8 bits", FULL_PRECISION));
        bits.setValue("4 bits");
        irm.setId("importIrm");
        irm.disableProperty().bind(bits.valueProperty().isEqualTo(FULL_PRECISION));
        calibration.setEditable(true);
        probe.setEditable(true);
        heads.setPrefColumnCount(4);
        heads.setTooltip(new Tooltip("Heads of a timm file that does not say: 0 takes width / 64, as in every DeiT"));
        problem.setId("importProblem");
        problem.setWrapText(true);
        problem.setStyle("-fx-text-fill: -color-danger-fg;");
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("images"), new HBox(6, folder, choose));
        grid.addRow(1, new Label("weights and activations"), bits);
        grid.add(irm, 1, 2);
        grid.addRow(3, new Label("calibration images"), calibration);
        grid.addRow(4, new Label("probe images (views)"), probe);
        grid.addRow(5, new Label("heads"), heads);
        grid.add(problem, 0, 6, 2, 1);
        dialog.getDialogPane().setContent(grid);
        ButtonType ok = new ButtonType("Quantize and show", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().setAll(ok, ButtonType.CANCEL);
        // OK closes the dialog only with a spec that can run; else the reason shows and the dialog stays
        dialog.getDialogPane().lookupButton(ok).addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            try {
                spec();
            } catch (IllegalArgumentException ex) {
                problem.setText(Messages.of(ex));
                e.consume();
            }
        });
    }

    /** The spec the settings describe. @throws IllegalArgumentException saying what is wrong, in a sentence */
    PostTrainingQuantization.Spec spec() {
        String dir = folder.getText().trim();
        if (dir.isEmpty() || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalArgumentException(dir.isEmpty() ? "Choose a folder of images to calibrate and probe on."
                    : dir + " is not a folder.");
        }
        int h;
        try {
            h = Integer.parseInt(heads.getText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("heads must be a whole number (0: width / 64)");
        }
        QuantizationConfig q = FULL_PRECISION.equals(bits.getValue()) ? null
                : QuantizationConfig.of(Integer.parseInt(bits.getValue().split(" ")[0]), irm.isSelected()
                ? QuantizationConfig.Rectification.DISTRIBUTION : QuantizationConfig.Rectification.NONE);
        return new PostTrainingQuantization.Spec(model, h, Path.of(dir), q, calibration.getValue(), probe.getValue());
    }

    /** Shows the dialog (not waiting for it); {@code accepted} gets the spec when the user presses OK. */
    void show(Consumer<PostTrainingQuantization.Spec> accepted) {
        dialog.setOnHidden(e -> {
            if (dialog.getResult() != null && dialog.getResult().getButtonData() == ButtonBar.ButtonData.OK_DONE) {
                accepted.accept(spec());
            }
        });
        dialog.show();
    }

    Dialog<ButtonType> dialog() {
        return dialog;
    }
}
