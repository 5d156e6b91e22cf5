package dev.qvit.app.fx;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.TrainedModelFile;
import dev.qvit.viz.chart.Charts;
import dev.qvit.viz.fx.ChartPane;
import java.io.File;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

/**
 * The window around the {@link Workbench}: menus with their accelerators (Ctrl+Space pauses or resumes, Ctrl+E
 * exports the current chart; no shortcut takes a key a focused control uses: the arrows move the selected head only
 * in the focused overview), light/dark theme, presentation mode, and the question before closing over a run.
 */
public final class WorkbenchWindow {
    private final Workbench workbench = new Workbench();
    private final BorderPane root = new BorderPane(workbench);
    private final Stage stage;
    private final Scene scene;
    private final CheckMenuItem presentation = new CheckMenuItem("Presentation mode");
    private final CheckMenuItem dark = new CheckMenuItem("Dark theme");

    public WorkbenchWindow(Stage stage) {
        this.stage = stage;
        root.setTop(menus());
        scene = new Scene(root, 1280, 800);
        scene.getStylesheets().add(WorkbenchWindow.class.getResource("workbench.css").toExternalForm());
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        stage.titleProperty().bind(javafx.beans.binding.Bindings.concat("Q-ViT Workbench — ",
                workbench.shownProperty()));
        stage.setScene(scene);
        stage.setOnCloseRequest(e -> {
            e.consume();
            close();
        });
    }

    Stage stage() {
        return stage;
    }

    public Workbench workbench() {
        return workbench;
    }

    public Scene scene() {
        return scene;
    }

    private MenuBar menus() {
        MenuItem open = item("Open teacher checkpoint…", "Shortcut+O", this::openTeacher);
        MenuItem importModel = item("Open PyTorch model (timm DeiT, .safetensors)…", "Shortcut+I",
                this::openImported);
        MenuItem save = item("Save trained model…", "Shortcut+S", this::saveModel);
        MenuItem sessions = item("Sessions…", "Shortcut+Shift+O", this::showSessions);
        MenuItem studio = item("Ablation studio…", "Shortcut+Shift+A", this::showStudio);
        Menu export = new Menu("Export current chart");
        for (ChartPane.Format f : ChartPane.Format.values()) {
            export.getItems().add(item(f == ChartPane.Format.CSV ? "Data as CSV…" : "Chart as " + f + "…",
                    f == ChartPane.Format.PNG ? "Shortcut+E" : null, () -> workbench.currentView().mainChart().exportWithDialog(f)));
        }
        MenuItem quit = item("Quit", "Shortcut+Q", this::close);
        Menu file = new Menu("File", null, open, importModel, sessions, save, export, quit);
        Menu run = new Menu("Run", null, studio,
                item("Train teacher", null, () -> workbench.start(ExperimentSpec.Kind.TEACHER)),
                item("Quantize student", null, () -> workbench.start(ExperimentSpec.Kind.STUDENT)),
                item("Pause / resume", "Shortcut+Space", workbench::togglePause),
                item("Cancel", null, workbench::cancel));
        Menu view = new Menu("View");
        for (int i = 0; i < workbench.tabs.getTabs().size(); i++) {
            int index = i;
            view.getItems().add(item(workbench.tabs.getTabs().get(i).getText(), "Shortcut+" + (i + 1),
                    () -> workbench.tabs.getSelectionModel().select(index)));
        }
        presentation.setId("presentationMode");
        presentation.setAccelerator(KeyCombination.keyCombination("F5"));
        presentation.setOnAction(e -> setPresentation(presentation.isSelected()));
        dark.setId("darkTheme");
        dark.setOnAction(e -> setDark(dark.isSelected()));
        view.getItems().addAll(presentation, dark);
        Menu help = new Menu("Help", null, item("Guided demo", "F1", this::showDemo),
                item("About the numbers", null, this::about));
        MenuBar bar = new MenuBar(file, run, view, help);
        bar.setId("menuBar");
        return bar;
    }

    private static MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem item = new MenuItem(text);
        if (accelerator != null) {
            item.setAccelerator(KeyCombination.keyCombination(accelerator));
        }
        item.setOnAction(e -> action.run());
        return item;
    }

    /** The dark window theme with dark charts, or the light one. */
    void setDark(boolean on) {
        dark.setSelected(on);
        Application.setUserAgentStylesheet(on ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
        Charts.setDark(on);
        workbench.refresh();
    }

    /** Larger fonts and thicker lines, the experiment panel collapsed (the Run menu still starts runs), for projectors. */
    void setPresentation(boolean on) {
        presentation.setSelected(on);
        Charts.setFontScale(on ? 1.45 : 1.0);
        root.setStyle(on ? "-fx-font-size: 17px;" : "");
        workbench.showExperiment(!on);
        workbench.refresh();
        if (demo != null) {
            demo.setPresentation(on);
        }
    }

    private GuidedDemo demo;

    /** The guided demo, made on first use; it shares the window's presentation mode. */
    GuidedDemo demo() {
        if (demo == null) {
            demo = new GuidedDemo(stage, this::setPresentation);
            demo.setPresentation(presentation.isSelected());
        }
        return demo;
    }

    void showDemo() {
        demo().show();
    }

    private SessionsBrowser browser;

    /** The sessions browser, made on first use. */
    SessionsBrowser sessions() {
        if (browser == null) {
            browser = new SessionsBrowser(workbench, stage);
        }
        return browser;
    }

    private AblationStudio studio;

    /** The ablation studio, made on first use. */
    AblationStudio studio() {
        if (studio == null) {
            studio = new AblationStudio(workbench, stage);
            workbench.queueBusy = studio::queueRunning;
        }
        return studio;
    }

    private void showStudio() {
        studio().show();
    }

    private void showSessions() {
        sessions().show();
    }

    private void openTeacher() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a teacher checkpoint (.qvit)");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Q-ViT checkpoints", "*.qvit"));
        File f = chooser.showOpenDialog(stage);
        if (f != null) {
            workbench.background("opening " + f.getName() + "…", () -> TeacherSource.open(f.toPath()),
                    workbench::adoptTeacher);
        }
    }

    /**
     * An RGB model from PyTorch (timm's DeiT names) or an RGB checkpoint: asks for the images and the quantization,
     * then quantizes it after training and shows it in every view.
     */
    private void openImported() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a ViT/DeiT in timm's names (.safetensors)");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("timm safetensors", "*.safetensors"),
                new FileChooser.ExtensionFilter("Q-ViT checkpoints", "*.qvit"));
        File f = chooser.showOpenDialog(stage);
        if (f != null) {
            importDialog(f.toPath()).show(workbench::inspectImported);
        }
    }

    ImportDialog importDialog(java.nio.file.Path model) {
        return new ImportDialog(stage, model);
    }

    private void saveModel() {
        var model = workbench.trainedModel();
        if (model == null) {
            workbench.showError("Nothing to save yet: train a teacher or quantize a student first.");
            return;
        }
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save the trained model");
        chooser.setInitialFileName((model.quantization() == null ? "teacher" : "student") + ".qvit");
        File f = chooser.showSaveDialog(stage);
        if (f == null) {
            return;
        }
        var spec = workbench.trainedSpec();
        var epochs = workbench.state().view(-1).epochs();
        workbench.background("saving " + f.getName() + "…", () -> {
            TrainedModelFile.save(f.toPath(), spec, model, epochs);
            return f;
        }, saved -> workbench.say("Saved " + saved));
    }

    private void about() {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(stage);
        a.setTitle("About the numbers");
        a.setHeaderText("Q-ViT Workbench");
        a.setContentText("Every chart is drawn from the model's own tensors on a fixed probe batch of 30 test images "
                + "(3 per class). Hover over a number to see its formula. Right-click a chart to export it as PNG, "
                + "SVG or CSV.");
        a.show();
    }

    /** Asks before closing over a running job; stops it cleanly, then exits. */
    void close() {
        if (!workbench.runInProgress()) {
            stopAndExit();
            return;
        }
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION,
                "A run is in progress. Stop it and quit? The run's progress is lost.", ButtonType.OK, ButtonType.CANCEL);
        ask.initOwner(stage);
        ask.setHeaderText("Stop the run and quit?");
        ask.resultProperty().addListener((o, before, answer) -> {
            if (answer == ButtonType.OK) {
                stopAndExit();
            }
        });
        ask.show();                                           // not showAndWait: close() may come from an animation
    }

    private void stopAndExit() {
        workbench.cancel();
        workbench.say("stopping…");
        Thread stopper = new Thread(() -> {
            workbench.awaitStopped(10);
            Platform.runLater(() -> {
                stage.close();
                Platform.exit();
            });
        }, "qvit-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

}
