package dev.qvit.app.fx;

import javafx.application.Application;
import javafx.stage.Stage;

/** The JavaFX application: one workbench window that opens on the bundled teacher and data. */
public final class WorkbenchApplication extends Application {

    @Override
    public void start(Stage stage) {
        WorkbenchWindow window = new WorkbenchWindow(stage);
        stage.show();
        window.workbench().loadBundledTeacher();
    }

    /** Starts the JavaFX runtime (called from a plain main class, as JavaFX on the class path requires). */
    public static void open(String[] args) {
        launch(WorkbenchApplication.class, args);
    }
}
