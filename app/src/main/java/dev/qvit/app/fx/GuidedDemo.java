package dev.qvit.app.fx;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.probe.TeacherTensors;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guided demo (Help > Guided demo, {@code ./qvit demo}): one idea per step, a few sentences and the equation
 * beside live views of the bundled teacher. Back/Next, Page Up/Page Down anywhere, the arrow keys when no control
 * that uses them has the focus, F5 for presentation mode. The model's tensors are taken in the background; the FX
 * thread only draws.
 */
final class GuidedDemo {
    private static final Logger LOG = LoggerFactory.getLogger(GuidedDemo.class);
    private final Stage stage = new Stage();
    private final BorderPane root = new BorderPane();
    private final Label heading = new Label("Guided demo");
    private final VBox explanation = new VBox(6);
    private final BorderPane centre = new BorderPane();
    final Button back = new Button("◀ Back");
    final Button next = new Button("Next ▶");
    final Label position = new Label();
    final Button presentation = new Button("Presentation mode (F5)");
    private final Consumer<Boolean> presentationSwitch;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qvit-demo");
        t.setDaemon(true);
        return t;
    });
    private final List<DemoStep> steps = new ArrayList<>();
    private int current = -1;
    private long openedNanos;
    private boolean presenting;
    private final ExecutorService training = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qvit-demo-training");
        t.setDaemon(true);
        return t;
    });
    /** Training images of the live students; 0 = all of the bundled subset (tests use fewer). */
    int trainLimit = Integer.getInteger(WorkbenchApplication.DEMO_TRAIN_LIMIT_PROPERTY, 0);
    /** Steps 2-4, once the teacher is there. */
    DemoStudents students;
    /** Step 1, once the teacher's tensors are there. */
    QuantizerStep quantizer;
    /** The last step: the shipped grid's result. */
    ResultStep result;
    RedrawLatency latency;
    /** Milliseconds from the JVM's start to the first picture of step 1 on screen; -1 before. */
    volatile long firstPictureMillis = -1;

    /** @param presentationSwitch turns the workbench's presentation mode on or off (fonts and lines everywhere) */
    GuidedDemo(Window owner, Consumer<Boolean> presentationSwitch) {
        this.presentationSwitch = presentationSwitch;
        stage.initOwner(owner);
        stage.setTitle("Q-ViT Workbench · guided demo");
        heading.getStyleClass().add("demo-heading");
        explanation.getStyleClass().add("demo-text");
        explanation.setPadding(new Insets(12));
        explanation.setPrefWidth(380);
        explanation.setMinWidth(300);
        ScrollPane text = new ScrollPane(explanation);
        text.setFitToWidth(true);
        text.setPrefWidth(400);
        text.setMinWidth(320);
        back.setId("demoBack");
        next.setId("demoNext");
        position.setId("demoPosition");
        presentation.setId("demoPresentation");
        back.setOnAction(e -> go(current - 1));
        next.setOnAction(e -> go(current + 1));
        presentation.setOnAction(e -> presentationSwitch.accept(!presenting));
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox top = new HBox(12, heading, gap, presentation);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(8, 12, 4, 12));
        HBox bottom = new HBox(12, back, position, next);
        bottom.setAlignment(Pos.CENTER);
        bottom.setPadding(new Insets(6, 12, 10, 12));
        root.setTop(top);
        root.setLeft(text);
        root.setCenter(centre);
        root.setBottom(bottom);
        centre.setCenter(new Label("Taking the bundled teacher's tensors…"));
        Scene scene = new Scene(root, 1280, 800);
        scene.getStylesheets().add(GuidedDemo.class.getResource("workbench.css").toExternalForm());
        scene.addEventFilter(KeyEvent.KEY_PRESSED, this::pageKeys);
        scene.addEventFilter(KeyEvent.KEY_PRESSED, this::arrowKeys);
        stage.setScene(scene);
        stage.setOnHidden(e -> {
            if (students != null) {
                students.stop();
            }
            if (latency != null && latency.summary() != null) {
                LOG.info("demo step 1 control to picture: {}", latency.summary());
            }
        });
        updateButtons();
    }

    Stage stage() {
        return stage;
    }

    /** Shows the demo; the first time, takes the bundled teacher's tensors in the background and opens step 1. */
    void show() {
        stage.show();
        stage.toFront();
        if (current >= 0 || openedNanos != 0) {
            return;
        }
        openedNanos = System.nanoTime();
        Task<Loaded> load = new Task<>() {
            @Override
            protected Loaded call() throws Exception {
                TeacherSource teacher = TeacherSource.bundled();
                return new Loaded(teacher, TeacherTensors.of(teacher.model(),
                        ProbeBatch.of(FashionMnist.bundled().test(), ExperimentRun.PROBES_PER_CLASS)), ShippedGrid.load());
            }
        };
        load.setOnSucceeded(e -> {
            try {
                start(load.getValue());
            } catch (RuntimeException ex) {
                failed(ex);
            }
        });
        load.setOnFailed(e -> failed(load.getException()));
        background.execute(load);
    }

    private void failed(Throwable t) {
        LOG.error("the demo cannot start", t);
        centre.setCenter(new Label("The demo cannot start: " + Messages.of(t)));
    }

    /** What the steps are made of, taken off the FX thread. */
    private record Loaded(TeacherSource teacher, TeacherTensors tensors, ShippedGrid grid) {
    }

    private void start(Loaded loaded) {
        quantizer = new QuantizerStep(loaded.tensors(), background);
        latency = new RedrawLatency(List.of(quantizer.distribution, quantizer.codes));
        quantizer.onRedrawn(nanos -> latency.changed());
        steps.add(quantizer);
        students = DemoStudents.create(loaded.teacher().asTeacher(), trainLimit, training);
        steps.addAll(students.steps());
        result = new ResultStep(loaded.grid(), loaded.teacher().accuracy(), loaded.teacher().model().config());
        steps.add(result);
        go(0);
        watchFirstPicture();
    }

    /** Logs when step 1's charts are first on screen: the figure `./qvit demo` is measured by. */
    private void watchFirstPicture() {
        new javafx.animation.AnimationTimer() {
            @Override
            public void handle(long now) {
                if (quantizer.distribution.drawn() && quantizer.codes.drawn()) {
                    stop();
                    long sinceJvm = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                    firstPictureMillis = sinceJvm;
                    LOG.info("demo: first picture {} ms after the JVM started, {} ms after the demo opened", sinceJvm,
                            (System.nanoTime() - openedNanos) / 1_000_000);
                }
            }
        }.start();
    }

    void go(int step) {
        if (step < 0 || step >= steps.size() || step == current) {
            return;
        }
        if (current >= 0) {
            steps.get(current).hidden();
        }
        current = step;
        DemoStep s = steps.get(step);
        heading.setText("Step %d · %s".formatted(step + 1, s.title()));
        explanation.getChildren().setAll(paragraphs(s.text()));
        centre.setCenter(s.content());
        updateButtons();
        s.shown();
    }

    int currentStep() {
        return current;
    }

    int stepCount() {
        return steps.size();
    }

    private void updateButtons() {
        back.setDisable(current <= 0);
        next.setDisable(current < 0 || current >= steps.size() - 1);
        position.setText(steps.isEmpty() ? "" : "%d / %d".formatted(current + 1, steps.size()));
    }

    /** Lines of the text: equations (four leading spaces) in their own style, the rest as wrapped paragraphs. */
    private static List<Node> paragraphs(String text) {
        List<Node> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Label l = new Label(line.strip());
            boolean equation = line.startsWith("    ");
            l.setWrapText(true);                           // an equation too: a wide line must not widen the column
            l.setMinWidth(0);
            l.setMinHeight(Region.USE_PREF_SIZE);
            l.setMaxWidth(Double.MAX_VALUE);
            l.getStyleClass().add(equation ? "demo-equation" : "demo-paragraph");
            out.add(l);
        }
        return out;
    }

    /** Larger type for a projector (called by the workbench's presentation mode, which redraws the charts). */
    void setPresentation(boolean on) {
        presenting = on;
        root.setStyle(on ? "-fx-font-size: 17px;" : "");
        presentation.setText(on ? "Normal size (F5)" : "Presentation mode (F5)");
        if (current >= 0) {
            steps.get(current).shown();
        }
    }

    private void pageKeys(KeyEvent e) {
        if (e.getCode() == KeyCode.PAGE_DOWN) {
            go(current + 1);
            e.consume();
        } else if (e.getCode() == KeyCode.PAGE_UP) {
            go(current - 1);
            e.consume();
        } else if (e.getCode() == KeyCode.F5) {
            presentationSwitch.accept(!presenting);
            e.consume();
        }
    }

    /**
     * The arrows turn the page unless the control with the focus uses them (sliders, boxes, fields, tables, tabs,
     * the overview's map); taken
     * before the controls see them, since buttons would otherwise spend them on moving the focus.
     */
    private void arrowKeys(KeyEvent e) {
        if (e.getCode() != KeyCode.LEFT && e.getCode() != KeyCode.RIGHT) {
            return;
        }
        Node focus = stage.getScene().getFocusOwner();
        if (focus instanceof Slider || focus instanceof ComboBoxBase<?> || focus instanceof TextInputControl
                || focus instanceof Spinner<?> || focus instanceof javafx.scene.control.TableView<?>
                || focus instanceof javafx.scene.control.ListView<?> || focus instanceof ScrollPane
                || focus instanceof javafx.scene.control.TabPane || focus instanceof dev.qvit.viz.fx.ChartPane) {
            return;
        }
        go(current + (e.getCode() == KeyCode.RIGHT ? 1 : -1));
        e.consume();
    }
}
