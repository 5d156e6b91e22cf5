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
        window.workbench().reopenLastSession();
        String demo = System.getProperty(DEMO_PROPERTY);
        if (demo != null) {
            window.showDemo();
            if (demo.equals("presentation")) {
                window.setPresentation(true);
            }
        }
        String tour = System.getProperty(TOUR_PROPERTY);
        if (tour != null) {
            new ScreenshotTour(window, java.nio.file.Path.of(tour)).start(Integer.getInteger("qvit.tour.bits", 2),
                    Integer.getInteger("qvit.tour.images", 2048), Integer.getInteger("qvit.tour.snapshots", 12));
        }
    }

    /** When set ("normal" or "presentation"), the guided demo opens with the window. */
    public static final String DEMO_PROPERTY = "qvit.demo";
    /** Training images of the demo's live students (0 = all of the bundled subset). */
    public static final String DEMO_TRAIN_LIMIT_PROPERTY = "qvit.demo.trainLimit";

    /** When set to a folder, the window runs the screenshot tour into it and closes. */
    public static final String TOUR_PROPERTY = "qvit.tour";

    /** Starts the JavaFX runtime (called from a plain main class, as JavaFX on the class path requires). */
    public static void open(String[] args) {
        launch(WorkbenchApplication.class, args);
    }
}
