package dev.qvit.app.fx;

import dev.qvit.app.task.RunFeed;
import dev.qvit.app.task.TrainingTask;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.records.EpochMetrics;
import dev.qvit.viz.fx.Selection;
import dev.qvit.viz.fx.ViewData;
import dev.qvit.viz.fx.WorkbenchView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.concurrent.Worker;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * Steps 2 to 4 of the guided demo: a fully quantized student of the bundled teacher, trained live on this machine
 * when the step first comes on screen, while the workbench's own views draw its probes. The runs of the steps
 * queue on one training thread; each can be paused, stopped and trained again. FX thread only.
 */
final class StudentStep implements DemoStep {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StudentStep.class);
    private static final Duration POLL = Duration.millis(250);
    private final String title;
    private final String text;
    private final ExperimentSpec spec;
    private final ExperimentRun.Teacher teacher;
    private final ExecutorService training;
    private final RunState state = new RunState();
    private final Map<String, WorkbenchView> views = new LinkedHashMap<>();
    private final TabPane tabs = new TabPane();
    private final BorderPane content = new BorderPane();
    final Label mode = new Label();
    final Label status = new Label("starts when this step is first shown");
    private final ProgressBar progress = new ProgressBar(0);
    final Button train = new Button("Train again");
    final Button pause = new Button("Pause");
    final Button stop = new Button("Stop");
    private final Timeline poll = new Timeline(new KeyFrame(POLL, e -> drain()));
    private final Runnable onUpdate;
    private Selection selection;
    private RunFeed feed;
    private TrainingTask task;
    private boolean onScreen;
    /** From start() until ended() ran: the task's own isDone() may still be false when its end is announced. */
    private boolean active;

    /**
     * @param spec     the student, checked against {@code teacher}
     * @param views    tab name to view, the first one shown first
     * @param below    shown under the views (e.g. the numbers that moved), or null
     * @param onUpdate called after every redraw with new data
     */
    StudentStep(String title, String text, ExperimentSpec spec, ExperimentRun.Teacher teacher, ExecutorService training,
                Map<String, WorkbenchView> views, Selection initial, Node below, Runnable onUpdate) {
        this.title = title;
        this.text = text;
        this.spec = ExperimentRun.check(spec, teacher);
        this.teacher = teacher;
        this.training = training;
        this.selection = initial;
        this.onUpdate = onUpdate;
        this.views.putAll(views);
        poll.setCycleCount(Timeline.INDEFINITE);
        for (Map.Entry<String, WorkbenchView> v : views.entrySet()) {
            Tab tab = new Tab(v.getKey(), v.getValue());
            tab.setClosable(false);
            tabs.getTabs().add(tab);
            v.getValue().setOnSelect(this::select);
            v.getValue().setActive(false);
        }
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> activate());
        train.setId("demoTrain");
        pause.setId("demoPause");
        stop.setId("demoStop");
        mode.setId("demoMode");
        status.setId("demoStatus");
        mode.getStyleClass().add("demo-mode");
        train.setOnAction(e -> start());
        pause.setOnAction(e -> togglePause());
        stop.setOnAction(e -> {
            if (task != null) {
                task.stop();
            }
        });
        progress.setPrefWidth(160);
        for (Button b : new Button[]{train, pause, stop}) {
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox.setHgrow(status, Priority.ALWAYS);
        status.setMaxWidth(Double.MAX_VALUE);
        status.setWrapText(true);
        status.setMinHeight(Region.USE_PREF_SIZE);
        mode.setWrapText(true);
        mode.setMinHeight(Region.USE_PREF_SIZE);
        HBox bar = new HBox(10, train, pause, stop, progress, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(4, mode, bar);
        top.setPadding(new Insets(6, 8, 4, 8));
        content.setTop(top);
        content.setCenter(tabs);
        if (below != null) {
            BorderPane.setMargin(below, new Insets(4, 8, 6, 8));
            content.setBottom(below);
        }
        updateButtons();
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public String text() {
        return text;
    }

    @Override
    public Node content() {
        return content;
    }

    /** The first time: starts the live run. Always: redraws the tab on screen. */
    @Override
    public void shown() {
        onScreen = true;
        if (task == null) {
            start();
        }
        refresh();
    }

    /** The run goes on; its views stop drawing until the step is back. */
    @Override
    public void hidden() {
        onScreen = false;
        activate();
    }

    ExperimentSpec spec() {
        return spec;
    }

    /** The views' data: the latest probe of the run (empty before its first). */
    ViewData data() {
        return state.view(-1);
    }

    /** True once a run was started and has ended (finished, stopped or failed). */
    boolean finished() {
        return task != null && !active;
    }

    boolean running() {
        return active;
    }

    WorkbenchView view(String tab) {
        return views.get(tab);
    }

    void showTab(String tab) {
        tabs.getTabs().stream().filter(t -> t.getText().equals(tab)).findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
    }

    /** Stops the run (when the demo closes); a queued run does not start. */
    void stopRun() {
        if (task != null) {
            task.stop();
            task.cancel(false);
        }
    }

    private void start() {
        if (running()) {
            return;
        }
        feed = new RunFeed();
        RunOptions options = new RunOptions(Runtime.getRuntime().availableProcessors(),
                Workbench.PROBE_INTERVAL_MILLIS, null, 0);
        task = new TrainingTask(spec, teacher, options, feed, null);
        state.reset(spec.label());
        mode.setText(live());
        mode.setTooltip(new javafx.scene.control.Tooltip("The same run on the command line:\n" + command(spec)));
        progress.progressProperty().bind(task.progressProperty());
        TrainingTask started = task;
        task.stateProperty().addListener((o, a, b) -> ended(started, b));
        status.textProperty().unbind();
        status.setText("queued: starts when the demo's run before it ends");
        task.runningProperty().addListener((o, a, b) -> {
            if (b && started == task) {
                status.textProperty().bind(started.messageProperty());
            }
        });
        active = true;
        poll.play();
        training.execute(task);
        updateButtons();
    }

    /** What the user sees is trained now, here: never a canned picture. */
    private String live() {
        int images = spec.data().trainLimit();
        return "LIVE · trained now on this machine: %s from the bundled teacher, %d epoch%s on %s bundled "
                .formatted(spec.describe(), spec.training().epochs(), spec.training().epochs() == 1 ? "" : "s",
                        images == 0 ? "all 6,000" : "%,d".formatted(images))
                + "Fashion-MNIST images, seed " + spec.training().seed();
    }

    /** The command line that trains the same student (its numbers do not depend on the thread count). */
    static String command(ExperimentSpec spec) {
        StringBuilder c = new StringBuilder("./qvit quantize --teacher bundled --data bundled");
        if (spec.data().trainLimit() > 0) {
            c.append(" --train-limit ").append(spec.data().trainLimit());
        }
        c.append(" --bits ").append(spec.quantization().bits()).append(" --epochs ").append(spec.training().epochs())
                .append(" --seed ").append(spec.training().seed());
        if (spec.quantization().rectified()) {
            c.append(" --irm --irm-form ").append(spec.quantization().rectification().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
        if (spec.distillation().enabled()) {
            c.append(" --dgd --lambda ").append(spec.distillation().lambda());
        }
        return c.toString();
    }

    private void ended(TrainingTask t, Worker.State s) {
        if (t != task || !(s == Worker.State.SUCCEEDED || s == Worker.State.FAILED || s == Worker.State.CANCELLED)) {
            return;
        }
        active = false;
        drain();
        poll.stop();
        status.textProperty().unbind();
        progress.progressProperty().unbind();
        if (s == Worker.State.FAILED) {
            status.setText("The run failed: " + Messages.of(t.getException()));
        } else if (s == Worker.State.CANCELLED || t.getValue() == null || t.getValue().summary().cancelled()) {
            status.setText("stopped at step %d: the charts show the student as it was then; Train again starts over"
                    .formatted(state.steps().size()));
        } else {
            EpochMetrics last = t.getValue().summary().last();
            status.setText("finished in %s: %.2f %% test accuracy on the bundled 1,000 test images (teacher %.2f %%)"
                    .formatted(TrainingTask.clock(last.elapsedSeconds()), 100 * last.testAccuracy(),
                            100 * teacher.testAccuracy()));
            LOG.info("demo: {} trained live in {} s, {} % test accuracy", spec.label(),
                    Math.round(last.elapsedSeconds()), String.format(java.util.Locale.ROOT, "%.2f",
                            100 * last.testAccuracy()));
        }
        updateButtons();
        refresh();
    }

    private void togglePause() {
        if (!running()) {
            return;
        }
        if (task.paused()) {
            task.resume();
        } else {
            task.pause();
        }
        updateButtons();
    }

    private void updateButtons() {
        boolean on = running();
        train.setDisable(on);
        pause.setDisable(!on);
        stop.setDisable(!on);
        pause.setText(on && task.paused() ? "Resume" : "Pause");
    }

    private void drain() {
        if (feed != null && state.apply(feed.drain())) {
            refresh();
        }
    }

    private void select(Selection s) {
        selection = s;
        refresh();
    }

    private void activate() {
        Tab selected = tabs.getSelectionModel().getSelectedItem();
        views.values().forEach(v -> v.setActive(onScreen && selected != null && selected.getContent() == v));
    }

    /** Hands the latest probe to every view; only the one on screen draws. */
    private void refresh() {
        ViewData d = data();
        activate();
        views.values().forEach(v -> v.show(d, selection));
        if (onScreen) {
            onUpdate.run();
        }
    }
}
