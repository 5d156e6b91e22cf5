package dev.qvit.app.fx;

import dev.qvit.model.vit.Backbone;
import dev.qvit.app.task.RunFeed;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.PostTrainingQuantization;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.sessions.SessionView;
import dev.qvit.sessions.SessionsRoot;
import dev.qvit.app.task.TrainingTask;
import dev.qvit.model.nn.NativeMemory;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.probe.AttentionProbe;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.model.train.BackgroundPriority;
import dev.qvit.viz.fx.AttentionView;
import dev.qvit.viz.fx.DistributionsView;
import dev.qvit.viz.fx.LossesView;
import dev.qvit.viz.fx.OverviewPanel;
import dev.qvit.viz.fx.QuantizersView;
import dev.qvit.viz.fx.Selection;
import dev.qvit.viz.fx.ViewData;
import dev.qvit.viz.fx.WorkbenchView;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.util.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workbench window's content and its controller: experiment panel (left), views (centre), overview (right),
 * step slider and status (bottom). One selection (layer, head, image, tensor, stage, step) drives every view.
 * Runs train off the FX thread; their events are applied four times a second. FX thread only.
 */
public final class Workbench extends BorderPane {
    private static final Logger LOG = LoggerFactory.getLogger(Workbench.class);
    /** How often a run's probe snapshots are taken (training thread) and its events shown (FX thread). */
    static final long PROBE_INTERVAL_MILLIS = dev.qvit.model.experiment.RunOptions.WINDOW_PROBE_MILLIS;
    static final Duration REFRESH = Duration.millis(250);
    /** Where the overview starts at most without the experiment panel: its larger fonts get the panel's room. */
    static final double PRESENTATION_OVERVIEW_START = 0.7;

    final ExperimentPanel experiment = new ExperimentPanel();
    final DistributionsView distributions = new DistributionsView();
    final AttentionView attention = new AttentionView();
    final LossesView losses = new LossesView();
    final QuantizersView quantizers = new QuantizersView();
    final OverviewPanel overview = new OverviewPanel();
    final TabPane tabs = new TabPane();
    final TimelineBar timeline = new TimelineBar(this::selectStep);
    final SplitPane split;
    private final List<WorkbenchView> views = List.of(distributions, attention, losses, quantizers, overview);
    private final RunState state = new RunState();
    /** Nice value of the training threads: the FX thread gets the CPU at once when it has work (a run barely slows). */
    static final int TRAINING_NICE = 10;
    /** Runs the training tasks. */
    private final ExecutorService executor = lowPriorityThread("qvit-train");
    /** Loads, probes and saves models, so that opening a teacher or saving does not wait for a run to end. */
    private final ExecutorService io = lowPriorityThread("qvit-io");
    private final Timeline poll = new Timeline(new KeyFrame(REFRESH, e -> drain()));
    private Selection selection = Selection.initial();
    private long selectedStep = -1;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private final List<long[]> refreshTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean busy;
    /** True while the ablation studio's queue trains (the two would share the cores). */
    java.util.function.BooleanSupplier queueBusy = () -> false;
    private TeacherSource teacher;
    private WorkbenchSettings settings = WorkbenchSettings.load();
    /** A session's views are shown: the teacher's static views, when they arrive, do not replace them. */
    private boolean showingSession;
    private Backbone trained;
    private ExperimentSpec trainedSpec;
    private TrainingTask task;
    private RunFeed feed;
    /** The "Not started: …" text the status line shows, or null. */
    private String notStarted;
    /** The split's divider positions while the experiment panel is collapsed. */
    private double[] dividers;

    public Workbench() {
        BackgroundPriority.setForWorkers(TRAINING_NICE);
        tabs.getTabs().addAll(tab("Distributions", distributions), tab("Attention", attention), tab("Losses", losses),
                tab("Quantizers", quantizers));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> activateSelectedTab());
        views.forEach(v -> {
            v.setOnSelect(this::select);
            v.setErrorHandler(this::showError);
            v.setStatusHandler(this::say);
        });
        split = new SplitPane(experiment, tabs, overview);
        split.setDividerPositions(0.2, 0.78);
        SplitPane.setResizableWithParent(experiment, false);
        SplitPane.setResizableWithParent(overview, false);
        setCenter(split);
        setBottom(timeline);
        poll.setCycleCount(Timeline.INDEFINITE);
        experiment.trainTeacher.setOnAction(e -> start(ExperimentSpec.Kind.TEACHER));
        experiment.quantize.setOnAction(e -> start(ExperimentSpec.Kind.STUDENT));
        experiment.pause.setOnAction(e -> togglePause());
        experiment.cancel.setOnAction(e -> cancel());
        experiment.setRunning(false, false);
        experiment.setOnProblemsChanged(this::onProblemsChanged);
        activateSelectedTab();
        refresh();
    }

    private static ExecutorService lowPriorityThread(String name) {
        // the workers' nice value, which the constructor sets to TRAINING_NICE
        return Executors.newSingleThreadExecutor(r -> BackgroundPriority.newThread(name, r));
    }

    private static Tab tab(String name, WorkbenchView view) {
        Tab t = new Tab(name, view);
        t.setId("tab-" + name.toLowerCase());
        return t;
    }

    private void activateSelectedTab() {
        Tab selected = tabs.getSelectionModel().getSelectedItem();
        for (Tab t : tabs.getTabs()) {
            ((WorkbenchView) t.getContent()).setActive(t == selected);
        }
    }

    /** Loads the shipped teacher off the FX thread and shows its attention on the probe images. */
    public void loadBundledTeacher() {
        background("loading the bundled teacher…", TeacherSource::bundled, this::adoptTeacher);
    }

    void adoptTeacher(TeacherSource source) {
        teacher = source;
        experiment.teacher.setText("teacher: " + source.summary());
        experiment.setTeacherReference(source.reference());
        experiment.showModel(source.model().config());
        if (task == null || !task.isRunning()) {
            background("probing the teacher…", () -> probeTeacher(source), info -> {
                if (busy || showingSession) {
                    return;                                   // a run or a session is shown: it takes precedence
                }
                state.showStatic("FP teacher (" + source.description() + ")", info.start(), info.snapshot());
                selectedStep = -1;
                refresh();
                say("Teacher ready: its q/k and attention are shown. Press “Quantize student” "
                        + "to train a quantized student from it and watch them change.");
            });
        }
    }

    private record StaticProbe(RunEvent.Started start, ProbeSnapshot snapshot) {
    }

    private StaticProbe probeTeacher(TeacherSource source) {
        ProbeBatch batch = ProbeBatch.of(FashionMnist.bundled().test(), ExperimentRun.PROBES_PER_CLASS);
        AttentionProbe probe = new AttentionProbe(batch, ExperimentRun.ATTENTION_IMAGES);
        var snapshot = new ProbeSnapshot(0, 0, probe.capture(source.model().replica()));
        ExperimentSpec shown = ExperimentSpec.teacher(source.model().config(), ExperimentSpec.Data.all("bundled"), 1, 0);
        var start = new RunEvent.Started(shown, source.summary(), 0, batch.count(), 0, batch.images(), null,
                Double.NaN);
        return new StaticProbe(start, snapshot);
    }

    /** Shows the events of a run recorded elsewhere (a reopened session, a test's run); nothing is trained. */
    void showRun(List<RunEvent> events) {
        state.reset("recorded run");
        state.apply(events);
        selectedStep = -1;
        refresh();
    }

    /** The folder the window's runs keep their sessions in. */
    SessionsRoot sessionsRoot() {
        return settings.root();
    }

    WorkbenchSettings settings() {
        return settings;
    }

    /** Keeps the sessions folder for the next runs and restarts. */
    void setSessionsRoot(java.nio.file.Path dir) {
        settings = settings.withSessionsRoot(dir);
        saveSettings();
    }

    private void remember(String sessionId) {
        settings = settings.withLastSession(sessionId);
        saveSettings();
    }

    private void saveSettings() {
        WorkbenchSettings s = settings;
        io.submit(() -> {
            try {
                s.save();
            } catch (java.io.IOException e) {
                LOG.warn("cannot save the window's settings: {}", e.getMessage());
            }
        });
    }

    /** Opens a session (off the FX thread) and shows it in every view, at any of its saved steps. */
    void showSession(String id) {
        if (busy) {
            showError("A run is in progress: open the session when it ends, or cancel it.");
            return;
        }
        SessionsRoot root = sessionsRoot();
        background("opening session " + id + "…", () -> {
            try (SessionView v = root.view(id)) {
                return v.replay();
            }
        }, events -> {
            if (busy) {
                return;
            }
            showingSession = true;
            showRun(events);
            remember(id);
            say("Session " + id + ": drag the timeline to see any saved step.");
        });
    }

    /**
     * Opens an RGB model (a timm DeiT), quantizes it after training on the user's images (off the FX thread) and
     * shows it in every view: the full-precision model as the teacher, its post-training quantized student as the
     * model (the full-precision model alone when no quantization is asked for).
     */
    void inspectImported(PostTrainingQuantization.Spec spec) {
        if (busy) {
            showError("A run is in progress: open the model when it ends, or cancel it.");
            return;
        }
        background("opening " + spec.model().getFileName() + " and quantizing it after training (" + spec.label()
                + ", " + spec.calibrationImages() + " calibration images)…", () -> PostTrainingQuantization.run(spec),
                this::showImported);
    }

    void showImported(PostTrainingQuantization.Result r) {
        if (busy) {
            return;
        }
        PostTrainingQuantization.Spec spec = r.spec();
        String name = spec.model().getFileName().toString();
        ExperimentSpec.Data data = ExperimentSpec.Data.all(spec.images().toString());
        ExperimentSpec shown = r.student() == null ? ExperimentSpec.teacher(r.teacher().config(), data, 0, 0)
                : ExperimentSpec.student(r.teacher().config(), data, spec.model().toString(), spec.quantization(),
                DistillationSettings.of(false, 0, DistributionGuidedDistillation.Norm.HEAD), 0, 0);
        double accuracy = r.teacherFolder().top1();
        var start = new RunEvent.Started(shown, name, 0, r.teacherFolder().predictions().size(), 0, r.images(),
                r.student() == null ? null : r.teacherSnapshot(), accuracy);
        var snapshot = new ProbeSnapshot(0, 0, r.student() == null ? r.teacherSnapshot() : r.studentSnapshot());
        showingSession = true;                               // the bundled teacher's probe does not replace it
        trained = r.student() == null ? r.teacher() : r.student();   // File > Save saves what is shown
        trainedSpec = shown;
        state.showStatic(spec.label() + " · " + name, start, snapshot);
        selectedStep = -1;
        refresh();
        say(importedSummary(r));
    }

    /** "deit.safetensors W4A4 PTQ on 6 images: top-1 50.0 % (FP 66.7 %), same top-1 as FP on 83.3 %." */
    static String importedSummary(PostTrainingQuantization.Result r) {
        String name = r.spec().model().getFileName() + " " + r.spec().label();
        int n = r.teacherFolder().predictions().size();
        if (r.student() == null) {
            return Double.isNaN(r.teacherFolder().top1()) ? "%s on %d images (no class folders)".formatted(name, n)
                    : "%s on %d images: top-1 %.1f %%".formatted(name, n, 100 * r.teacherFolder().top1());
        }
        String agreement = "the same top-1 class as full precision on %.1f %% of them".formatted(100 * r.agreement());
        return Double.isNaN(r.teacherFolder().top1()) ? "%s on %d images: %s".formatted(name, n, agreement)
                : "%s on %d images: top-1 %.1f %% (FP %.1f %%), %s".formatted(name, n, 100 * r.studentFolder().top1(),
                100 * r.teacherFolder().top1(), agreement);
    }

    private record Resumable(ExperimentSpec spec, List<RunEvent> before, long step) {
    }

    /**
     * Goes on with a stopped or crashed session from its last checkpoint: its views show what it recorded up to
     * there, and the run continues from that step into the same session.
     */
    void resumeSession(String id) {
        if (busy) {
            showError("A run is in progress: resume the session when it ends, or cancel it.");
            return;
        }
        SessionsRoot root = sessionsRoot();
        background("opening session " + id + "…", () -> {
            try (SessionView v = root.view(id)) {
                var last = v.lastCheckpoint();
                long step = last.map(s -> s.progress().step()).orElse(0L);
                int epochs = last.map(s -> s.progress().history().size()).orElse(0);
                List<RunEvent> before = v.replay().stream().filter(e -> before(e, step, epochs)).toList();
                return new Resumable(v.spec(), before, step);
            }
        }, r -> startResume(root, id, r));
    }

    /** What a session recorded before its checkpoint at {@code step} (after {@code epochs} epochs). */
    private static boolean before(RunEvent e, long step, int epochs) {
        if (e instanceof RunEvent.Step s) {
            return s.metrics().step() < step;
        } else if (e instanceof RunEvent.Probed p) {
            return p.snapshot().step() < step;
        } else if (e instanceof RunEvent.Epoch ep) {
            return ep.metrics().epoch() < epochs;
        }
        return false;
    }

    private void startResume(SessionsRoot root, String id, Resumable r) {
        if (busy) {
            return;
        }
        showingSession = false;
        feed = new RunFeed();
        RunOptions options = new RunOptions(Runtime.getRuntime().availableProcessors(), PROBE_INTERVAL_MILLIS, null, 0);
        task = new TrainingTask(r.spec(), teacher == null ? null : teacher.asTeacher(), options, feed,
                s -> root.openForWriting(id, SessionsRoot.DEFAULT_PROBE_SECONDS), true);
        state.reset(r.spec().label());
        state.apply(r.before());
        selectedStep = -1;
        timeline.status().textProperty().bind(task.messageProperty());
        timeline.status().progressProperty().bind(task.progressProperty());
        task.stateProperty().addListener((o, a, b) -> onTaskState(b, r.spec()));
        experiment.setRunning(true, false);
        busy = true;
        poll.play();
        executor.submit(task);
        refresh();
        say("Resuming session " + id + " from step " + r.step() + "…");
    }

    /** On start: reopens the last session when the settings say so and it is still there. */
    void reopenLastSession() {
        String last = settings.lastSession();
        if (settings.reopenLastSession() && last != null
                && java.nio.file.Files.isDirectory(sessionsRoot().dir().resolve(last))) {
            showingSession = true;
            showSession(last);
        }
    }

    /** Runs {@code work} on the I/O thread; hands its result to {@code done} on the FX thread. */
    <T> void background(String message, java.util.concurrent.Callable<T> work, java.util.function.Consumer<T> done) {
        Task<T> t = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        say(message);
        t.setOnSucceeded(e -> done.accept(t.getValue()));
        t.setOnFailed(e -> showError(Messages.of(t.getException())));
        io.submit(t);
    }

    void start(ExperimentSpec.Kind kind) {
        if (busy) {
            return;
        }
        if (queueBusy.getAsBoolean()) {
            showError("Not started: the ablation studio's queue is running; cancel it or let it finish first.");
            return;
        }
        Optional<ExperimentSpec> spec = experiment.spec(kind);
        if (spec.isEmpty()) {
            showError("Not started: " + experiment.firstProblem());
            notStarted = timeline.status().getText();
            return;
        }
        ExperimentSpec checked;
        ExperimentRun.Teacher source = teacher == null ? null : teacher.asTeacher();
        try {
            checked = ExperimentRun.check(spec.get(), source);
        } catch (IllegalArgumentException e) {
            showError("Not started: " + Messages.of(e));
            return;
        }
        RunOptions options = new RunOptions(Runtime.getRuntime().availableProcessors(), PROBE_INTERVAL_MILLIS, null, 0);
        showingSession = false;
        feed = new RunFeed();
        SessionsRoot root = sessionsRoot();
        task = new TrainingTask(checked, checked.kind() == ExperimentSpec.Kind.STUDENT ? source : null, options, feed,
                root == null ? null : s -> root.create(s, null, null, SessionsRoot.DEFAULT_PROBE_SECONDS));
        state.reset(spec.get().label());
        selectedStep = -1;
        timeline.status().textProperty().bind(task.messageProperty());
        timeline.status().progressProperty().bind(task.progressProperty());
        task.stateProperty().addListener((o, a, b) -> onTaskState(b, checked));
        experiment.setRunning(true, false);
        busy = true;
        poll.play();
        executor.submit(task);
        refresh();
    }

    /** Keeps a "Not started: …" status line in step with the fields: updated while wrong, cleared once fixed. */
    private void onProblemsChanged(String first) {
        if (notStarted == null || !notStarted.equals(timeline.status().getText())) {
            notStarted = null;                                  // something else was said since
            return;
        }
        if (first == null) {
            notStarted = null;
            say("Settings fixed: ready to start.");
        } else {
            showError("Not started: " + first);
            notStarted = timeline.status().getText();
        }
    }

    private void onTaskState(Worker.State s, ExperimentSpec spec) {
        if (s != Worker.State.SUCCEEDED && s != Worker.State.FAILED && s != Worker.State.CANCELLED) {
            return;
        }
        poll.stop();
        drain();
        busy = false;
        timeline.status().textProperty().unbind();
        timeline.status().progressProperty().unbind();
        timeline.status().setProgress(0);
        experiment.setRunning(false, false);
        if (!executor.isShutdown()) {
            executor.submit(NativeMemory::returnUnused);       // the run's arrays, off the FX thread, after it ended
        }
        if (s == Worker.State.FAILED) {
            if (task.sessionId() != null) {
                remember(task.sessionId());
            }
            LOG.error("run failed", task.getException());
            showError(spec.label() + " stopped: " + Messages.of(task.getException()));
            return;
        }
        ExperimentRun.Result result = task.getValue();
        trained = result.model();
        var last = result.summary().last();
        String accuracy = last == null ? "no epoch finished" : "test accuracy %.2f %%".formatted(100 * last.testAccuracy());
        String session = task.sessionId() == null ? "" : " Session " + task.sessionId() + ".";
        timeline.status().setText(spec.label() + (result.summary().cancelled() ? " cancelled after step "
                + result.summary().steps() : " finished") + ": " + accuracy + "." + session);
        if (task.sessionId() != null) {
            remember(task.sessionId());
        }
        trainedSpec = spec;
        if (spec.kind() == ExperimentSpec.Kind.TEACHER && last != null) {
            adoptTrainedTeacher(new TeacherSource(trained, "teacher trained here",
                    "trained in the window (unsaved), " + spec.describe(), last.testAccuracy()));
        }
    }

    private void adoptTrainedTeacher(TeacherSource source) {
        teacher = source;
        experiment.teacher.setText("teacher: " + source.summary());
        experiment.setTeacherReference(source.reference());
        experiment.showModel(source.model().config());
    }

    private void drain() {
        if (feed != null && state.apply(feed.drain())) {
            long wall = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            refresh();
            refreshTimes.add(new long[]{System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - cpu});
        }
    }

    /** Wall and CPU nanoseconds of every live update (apply the events, redraw the visible views) of the runs. */
    List<long[]> refreshTimes() {
        return List.copyOf(refreshTimes);
    }

    void select(Selection s) {
        selection = s;
        refresh();
    }

    void selectStep(long step) {
        selectedStep = step;
        refresh();
    }

    /** Redraws every active view from the current state and selection. */
    void refresh() {
        ViewData data = state.view(selectedStep);
        if (data.model() != null) {
            selection = selection.clamp(data.model().headsPerLayer(), data.model().attentionImages());
        }
        for (WorkbenchView v : views) {
            v.show(data, selection);
        }
        timeline.show(state, selectedStep);
        shown.set(data.title());
    }

    /** What the views show ("W4A4 PTQ · deit_tiny_patch16_224.safetensors", "FP teacher (…)"), for the title. */
    private final javafx.beans.property.ReadOnlyStringWrapper shown = new javafx.beans.property.ReadOnlyStringWrapper(
            "no run yet");

    javafx.beans.property.ReadOnlyStringProperty shownProperty() {
        return shown.getReadOnlyProperty();
    }

    void togglePause() {
        if (task == null || !task.isRunning()) {
            return;
        }
        if (task.paused()) {
            task.resume();
        } else {
            task.pause();
        }
        experiment.setRunning(true, task.paused());
    }

    /** Asks the run to stop; it ends after the step in progress (about a second at batch 128 here). */
    void cancel() {
        if (task != null && task.isRunning()) {
            task.stop();
            task.resume();
            timeline.status().textProperty().unbind();
            timeline.status().setText("cancelling after the current step…");
            experiment.pause.setDisable(true);
            experiment.cancel.setDisable(true);
        }
    }

    /** After {@link #cancel()}: waits (off the FX thread) up to {@code seconds} for the training thread to end. */
    public boolean awaitStopped(double seconds) {
        io.shutdown();
        executor.shutdown();
        try {
            return executor.awaitTermination((long) (seconds * 1000), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True while a run works on and nobody asked it to stop. */
    boolean runInProgress() {
        return busy && task != null && !task.stopping();
    }

    /** True from a run's start until its task has ended; readable from any thread. */
    public boolean running() {
        return busy;
    }

    /** Shows {@code message} in the status line unless a run is showing its progress there. */
    void say(String message) {
        if (timeline.status().textProperty().isBound()) {
            LOG.info(message);
        } else {
            timeline.status().setText(message);
        }
    }

    /** Shows an error in the status line; a running run's progress comes back after a few seconds. */
    void showError(String message) {
        LOG.warn(message);
        boolean runShowing = timeline.status().textProperty().isBound();
        if (runShowing) {
            timeline.status().textProperty().unbind();
        }
        timeline.status().setText("⚠ " + message);
        if (runShowing) {
            TrainingTask shown = task;
            var later = new javafx.animation.PauseTransition(Duration.seconds(6));
            later.setOnFinished(e -> {
                if (busy && task == shown && !timeline.status().textProperty().isBound()) {
                    timeline.status().textProperty().bind(shown.messageProperty());
                }
            });
            later.play();
        }
    }

    /**
     * Shows the experiment panel, or collapses it (presentation mode, which widens the overview); shown again, the
     * split gets back the sizes it had.
     */
    void showExperiment(boolean shown) {
        if (shown == split.getItems().contains(experiment)) {
            return;
        }
        if (shown) {
            split.getItems().add(0, experiment);
            split.setDividerPositions(dividers);
        } else {
            dividers = split.getDividerPositions();
            split.getItems().remove(experiment);
            split.setDividerPositions(Math.min(dividers[1], PRESENTATION_OVERVIEW_START));
        }
    }

    WorkbenchView currentView() {
        return (WorkbenchView) tabs.getSelectionModel().getSelectedItem().getContent();
    }

    Selection selection() {
        return selection;
    }

    RunState state() {
        return state;
    }

    TeacherSource teacher() {
        return teacher;
    }

    Backbone trainedModel() {
        return trained;
    }

    /** The experiment that trained {@link #trainedModel()}. */
    ExperimentSpec trainedSpec() {
        return trainedSpec;
    }

    TrainingTask task() {
        return task;
    }
}
