package dev.qvit.app.fx;

import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.AblationStatistics;
import dev.qvit.model.experiment.AblationTable;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.Variant;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.records.AblationRow;
import dev.qvit.sessions.AblationGrid;
import dev.qvit.sessions.GridRunner;
import dev.qvit.sessions.SessionsRoot;
import dev.qvit.sessions.SlurmArray;
import dev.qvit.viz.chart.AblationCharts;
import dev.qvit.viz.chart.ChartExport;
import dev.qvit.viz.fx.ChartPane;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.cell.ProgressBarTableCell;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The ablation studio: a bits x variants x seeds grid as a queue of cells, each a session, run one after the other
 * on a background thread; the table with its statistics fills as cells finish, with a bar chart and the paper's
 * Fig. 1 beside it. What the queue has done lives in the grid's sessions, so closing the window or a crash loses at
 * most the interrupted cell's steps since its last checkpoint: the queue goes on from there.
 */
public final class AblationStudio {
    private static final int[] BITS = {2, 3, 4, 8};
    private final Workbench workbench;
    private final Stage stage = new Stage();
    private final ExecutorService queueThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qvit-ablation-queue");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qvit-studio-io");
        t.setDaemon(true);
        return t;
    });

    final ComboBox<String> gridChoice = new ComboBox<>();
    final TextField gridName = new TextField("ablation");
    final Map<Integer, CheckBox> bits = new LinkedHashMap<>();
    final Map<Variant, CheckBox> variants = new LinkedHashMap<>();
    final ComboBox<String> irmForm = new ComboBox<>(FXCollections.observableArrayList("distribution", "token"));
    final TextField lambda = new TextField("0.1");
    final TextField seeds = new TextField("0,1,2");
    final TextField epochs = new TextField("3");
    final TextField trainImages = new TextField("20000");
    final ComboBox<String> data = new ComboBox<>(FXCollections.observableArrayList("full", "bundled"));
    /** Test images of a new grid (0: all) and probe images of its q/k statistics; tests make them small. */
    int testImages;
    int probeImages = AblationPlan.DEFAULT_PROBE_IMAGES;
    final Button run = new Button("Run queue");
    final Button pause = new Button("Pause");
    final Button cancel = new Button("Cancel");
    final Button slurm = new Button("Write Slurm script…");
    final Label status = new Label("Choose a grid, or set one up and run it.");
    final TableView<AblationGrid.CellStatus> queue = new TableView<>();
    final TableView<AblationRow> results = AblationRowsTable.create();
    final ChartPane barChart = new ChartPane();
    final ChartPane fig1Chart = new ChartPane();
    final ComboBox<Integer> fig1Bits = new ComboBox<>();
    final CheckBox fig1Keys = new CheckBox("keys");
    final CheckBox fig1Quantized = new CheckBox("after the quantizer");
    final TabPane tabs = new TabPane();
    /** Per quantized tensor: SQNR and weight oscillation of every variant at one bit width, mean over seeds. */
    final TableView<String> layers = new TableView<>();
    final ComboBox<Integer> layerBits = new ComboBox<>();
    private final ObservableList<AblationGrid.CellStatus> cells = FXCollections.observableArrayList();

    private volatile AblationGrid grid;
    private volatile RunControl control;
    private volatile boolean queueRunning;
    private List<CellResult> finished = List.of();
    private double teacherAccuracy = Double.NaN;
    private long lastProgress;

    AblationStudio(Workbench workbench, Window owner) {
        this.workbench = workbench;
        stage.initOwner(owner);
        stage.setTitle("Ablation studio");
        stage.setScene(new Scene(layout(), 1240, 780));
        stage.setOnHidden(e -> { });                                  // the queue goes on while the studio is hidden
        gridChoice.setOnAction(e -> {
            if (gridChoice.getValue() != null && !queueRunning) {
                open(gridChoice.getValue());
            }
        });
        refreshGrids();
    }

    void show() {
        stage.show();
        stage.toFront();
        refreshGrids();
    }

    Stage stage() {
        return stage;
    }

    private BorderPane layout() {
        GridPane form = new GridPane();
        javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
        labels.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        form.getColumnConstraints().addAll(labels, new javafx.scene.layout.ColumnConstraints());
        form.setHgap(8);
        form.setVgap(6);
        form.setPadding(new Insets(10));
        int row = 0;
        gridChoice.setId("gridChoice");
        gridChoice.setPromptText("existing grids");
        gridChoice.setMaxWidth(Double.MAX_VALUE);
        form.addRow(row++, new Label("Grid"), gridChoice);
        gridName.setId("gridName");
        form.addRow(row++, new Label("New grid id"), gridName);
        FlowPane bitBoxes = new FlowPane(8, 4);
        for (int b : BITS) {
            CheckBox c = new CheckBox(String.valueOf(b));
            c.setId("bits" + b);
            c.setSelected(b == 2 || b == 4);
            bits.put(b, c);
            bitBoxes.getChildren().add(c);
        }
        form.addRow(row++, new Label("Bits"), bitBoxes);
        FlowPane variantBoxes = new FlowPane(8, 4);
        for (Variant v : Variant.values()) {
            CheckBox c = new CheckBox(v == Variant.BASE ? "baseline" : "+" + v.label().toUpperCase(Locale.ROOT)
                    .replace("+", "+"));
            c.setId("variant-" + v.label().replace("+", "-"));
            c.setSelected(true);
            variants.put(v, c);
            variantBoxes.getChildren().add(c);
        }
        form.addRow(row++, new Label("Variants"), variantBoxes);
        irmForm.setId("irmForm");
        irmForm.setValue("distribution");
        form.addRow(row++, new Label("IRM form"), irmForm);
        lambda.setId("gridLambda");
        form.addRow(row++, new Label("DGD λ"), lambda);
        seeds.setId("gridSeeds");
        form.addRow(row++, new Label("Seeds"), seeds);
        epochs.setId("gridEpochs");
        form.addRow(row++, new Label("Epochs per cell"), epochs);
        trainImages.setId("gridTrainImages");
        form.addRow(row++, new Label("Training images"), trainImages);
        data.setId("gridData");
        data.setValue(dev.qvit.model.data.FashionMnist.fullSetInstalled() ? "full" : "bundled");
        form.addRow(row++, new Label("Data"), data);
        run.setId("runQueue");
        pause.setId("pauseQueue");
        cancel.setId("cancelQueue");
        slurm.setId("slurmScript");
        run.setDefaultButton(true);
        run.setOnAction(e -> runQueue());
        pause.setOnAction(e -> togglePause());
        cancel.setOnAction(e -> cancelQueue());
        slurm.setOnAction(e -> writeSlurm());
        pause.setDisable(true);
        cancel.setDisable(true);
        HBox buttons = new HBox(6, run, pause, cancel);
        VBox left = new VBox(8, form, buttons, slurm);
        left.setPadding(new Insets(0, 10, 10, 10));
        left.setPrefWidth(340);
        left.setMinWidth(340);

        queue.setId("queue");
        queue.setItems(cells);
        queue.getColumns().add(column("#", s -> String.valueOf(s.cell().index()), 40));
        queue.getColumns().add(column("cell", s -> s.cell().label(), 260));
        queue.getColumns().add(column("state", AblationStudio::stateText, 150));
        TableColumn<AblationGrid.CellStatus, Double> progress = new TableColumn<>("progress");
        progress.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().state()
                == AblationGrid.CellState.FINISHED ? 1.0 : c.getValue().fraction()));
        progress.setCellFactory(ProgressBarTableCell.forTableColumn());
        progress.setPrefWidth(140);
        queue.getColumns().add(progress);
        queue.getColumns().add(column("test accuracy", this::accuracyText, 110));
        queue.setRowFactory(t -> {
            TableRow<AblationGrid.CellStatus> r = new TableRow<>();
            r.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && r.getItem() != null) {
                    openSession(r.getItem());
                }
            });
            return r;
        });
        queue.setPlaceholder(new Label("No grid yet."));
        status.setId("queueStatus");
        VBox top = new VBox(6, status, queue);
        VBox.setVgrow(queue, Priority.ALWAYS);
        top.setPadding(new Insets(10));

        results.setId("results");
        results.setRowFactory(t -> {
            TableRow<AblationRow> r = new TableRow<>();
            r.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && r.getItem() != null) {
                    openSession(r.getItem());
                }
            });
            return r;
        });
        results.setPlaceholder(new Label("The table fills as cells finish."));
        barChart.setId("barChart");
        barChart.setPlaceholder("The bar chart appears when a cell has finished.");
        fig1Chart.setId("fig1Chart");
        fig1Chart.setPlaceholder("Fig. 1 needs a finished baseline or IRM cell.");
        fig1Bits.setId("fig1Bits");
        fig1Bits.setOnAction(e -> drawFig1());
        fig1Keys.setId("fig1Keys");
        fig1Keys.setOnAction(e -> drawFig1());
        fig1Quantized.setId("fig1Quantized");
        fig1Quantized.setOnAction(e -> drawFig1());
        Label fig1Note = new Label("FP teacher, quantized baseline and IRM model (lowest finished seed) on the probe "
                + "images: what enters the quantizers (after IRM), or what leaves them.");
        fig1Note.setWrapText(true);
        fig1Bits.setMinWidth(70);
        BorderPane fig1 = new BorderPane(fig1Chart);
        HBox fig1Controls = new HBox(8, fixed(new Label("Bits")), fig1Bits, fixed(fig1Keys), fixed(fig1Quantized),
                fig1Note);
        fig1Controls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        fig1Controls.setPadding(new Insets(4, 8, 4, 8));
        fig1.setTop(fig1Controls);
        layers.setId("layers");
        layers.setPlaceholder(new Label("SQNR and oscillation per tensor appear when a cell has finished."));
        layerBits.setId("layerBits");
        layerBits.setMinWidth(70);
        layerBits.setOnAction(e -> showLayers());
        Label layersNote = new Label("Per quantized tensor, mean over seeds: SQNR (dB) against the teacher's tensor, "
                + "and for weights the share of integer codes flipping back per step over the last epoch (‰).");
        layersNote.setWrapText(true);
        HBox layerControls = new HBox(8, fixed(new Label("Bits")), layerBits, layersNote);
        layerControls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        layerControls.setPadding(new Insets(4, 8, 4, 8));
        BorderPane perLayer = new BorderPane(layers);
        perLayer.setTop(layerControls);
        tabs.getTabs().addAll(new Tab("Table", results), new Tab("Bar chart", barChart), new Tab("Fig. 1", fig1),
                new Tab("Per layer", perLayer));
        tabs.setId("studioTabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        Button md = exportButton("exportMarkdown", "Markdown…", "results.md", this::markdown);
        Button csv = exportButton("exportCsv", "CSV…", "results.csv", () -> AblationTable.rowsCsv(rows()));
        Button svg = new Button("Charts as SVG…");
        svg.setId("exportSvg");
        svg.setOnAction(e -> chooseFolder().ifPresent(d -> exportCharts(d, "svg")));
        Button png = new Button("Charts as PNG…");
        png.setId("exportPng");
        png.setOnAction(e -> chooseFolder().ifPresent(d -> exportCharts(d, "png")));
        HBox exports = new HBox(6, new Label("Export:"), md, csv, svg, png);
        exports.setPadding(new Insets(6, 10, 10, 10));
        BorderPane bottom = new BorderPane(tabs);
        bottom.setBottom(exports);
        SplitPane centre = new SplitPane(top, bottom);
        centre.setOrientation(javafx.geometry.Orientation.VERTICAL);
        centre.setDividerPositions(0.42);
        BorderPane root = new BorderPane(centre);
        root.setLeft(left);
        return root;
    }

    private static <T extends javafx.scene.layout.Region> T fixed(T node) {
        node.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        return node;
    }

    private static <S> TableColumn<S, String> column(String name, Function<S, String> value, double width) {
        return ColumnFit.column(name, value, width);
    }

    private static String stateText(AblationGrid.CellStatus s) {
        return switch (s.state()) {
            case PENDING -> "waiting";
            case RUNNING -> "running";
            case STOPPED -> s.steps() > 0 ? "stopped at step " + s.steps() : "stopped";
            case FINISHED -> "finished";
            case FAILED -> "failed" + (s.message() == null ? "" : ": " + s.message());
        };
    }

    private String accuracyText(AblationGrid.CellStatus s) {
        return finished.stream().filter(r -> s.cell().session().equals(r.session())).findFirst()
                .map(r -> String.format(Locale.ROOT, "%.2f %%", 100 * r.testAccuracy())).orElse("");
    }

    // ---- grids ----

    private SessionsRoot root() {
        return workbench.sessionsRoot();
    }

    private void refreshGrids() {
        SessionsRoot root = root();
        io.submit(() -> {
            try {
                List<String> ids = AblationGrid.list(root);
                Platform.runLater(() -> {
                    String chosen = gridChoice.getValue();
                    gridChoice.getItems().setAll(ids);
                    if (chosen != null && ids.contains(chosen)) {
                        gridChoice.setValue(chosen);
                    }
                });
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        });
    }

    /** Shows grid {@code id}: its plan in the form, its cells' states, its table and charts. */
    void open(String id) {
        SessionsRoot root = root();
        io.submit(() -> {
            try {
                AblationGrid g = AblationGrid.open(root, id);
                reload(g);
                Platform.runLater(() -> {
                    showPlan(g.plan(), id);
                    if (!id.equals(gridChoice.getValue())) {
                        if (!gridChoice.getItems().contains(id)) {
                            gridChoice.getItems().add(0, id);
                        }
                        gridChoice.setValue(id);
                    }
                });
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        });
    }

    /** Reads the grid's state from its sessions (not the FX thread) and shows it. */
    private void reload(AblationGrid g) throws Exception {
        AblationGrid.Progress progress = g.progress();
        List<AblationGrid.CellStatus> statuses = progress.statuses();
        List<CellResult> results = progress.results();
        double accuracy = teacherAccuracy(g);
        Platform.runLater(() -> {
            grid = g;
            teacherAccuracy = accuracy;
            finished = results;
            cells.setAll(statuses);
            this.results.getItems().setAll(rows());
            ColumnFit.fit(this.results);
            ColumnFit.fit(queue);
            drawCharts();
            if (!queueRunning) {
                say(summary(statuses));
            }
        });
    }

    private double teacherAccuracy(AblationGrid g) throws Exception {
        TeacherSource current = workbench.teacher();
        if (current != null && current.reference().equals(g.plan().base().teacher())) {
            return current.accuracy();
        }
        return teacherFor(g).testAccuracy();
    }

    private ExperimentRun.Teacher teacherFor(AblationGrid g) throws Exception {
        TeacherSource current = workbench.teacher();
        String wanted = g.plan().base().teacher();
        if (current != null && current.reference().equals(wanted)) {
            return current.asTeacher();
        }
        return (wanted.equals(ExperimentSpec.BUNDLED_TEACHER) ? TeacherSource.bundled()
                : TeacherSource.open(Path.of(wanted))).asTeacher();
    }

    private void showPlan(AblationPlan p, String id) {
        gridName.setText(id);
        bits.forEach((b, c) -> c.setSelected(p.bits().contains(b)));
        variants.forEach((v, c) -> c.setSelected(p.variants().contains(v)));
        irmForm.setValue(p.irmForm().name().toLowerCase(Locale.ROOT));
        lambda.setText(String.valueOf(p.lambda()));
        seeds.setText(String.join(",", p.seeds().stream().map(String::valueOf).toList()));
        epochs.setText(String.valueOf(p.training().epochs()));
        trainImages.setText(String.valueOf(p.base().data().trainLimit()));
        data.setValue(p.base().data().source());
    }

    /** The plan the form describes, from the window's teacher and its data source. */
    AblationPlan plannedGrid() {
        TeacherSource teacher = workbench.teacher();
        if (teacher == null) {
            throw new IllegalArgumentException("The teacher is still loading: wait for 'Teacher ready'.");
        }
        List<Integer> b = bits.entrySet().stream().filter(e -> e.getValue().isSelected()).map(Map.Entry::getKey)
                .sorted((x, y) -> y - x).toList();
        List<Variant> v = variants.entrySet().stream().filter(e -> e.getValue().isSelected()).map(Map.Entry::getKey)
                .toList();
        List<Long> s = new ArrayList<>();
        for (String part : seeds.getText().split(",")) {
            if (!part.isBlank()) {
                s.add(parseLong(part.trim(), "a seed"));
            }
        }
        int e = (int) parseLong(epochs.getText().trim(), "the epochs");
        int images = (int) parseLong(trainImages.getText().trim(), "the training images");
        double l = parseDouble(lambda.getText().trim(), "λ");
        ExperimentSpec base = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT,
                teacher.model().config(), new ExperimentSpec.Data(data.getValue(), images, testImages),
                teacher.reference(), QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE),
                DistillationSettings.of(false, l, DistributionGuidedDistillation.Norm.HEAD),
                ExperimentSpec.qatRecipe(e, 2e-4, 0));
        return new AblationPlan(base, b, v, s, QuantizationConfig.Rectification.parse(irmForm.getValue()),
                probeImages);
    }

    private static long parseLong(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got '" + text + "'");
        }
    }

    private static double parseDouble(String text, String what) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + text + "'");
        }
    }

    // ---- the queue ----

    /** Runs the chosen grid's unfinished cells, or a new grid from the form. */
    void runQueue() {
        if (queueRunning) {
            return;
        }
        if (workbench.runInProgress()) {
            say("⚠ A run is in progress in the main window: let it finish or cancel it first.");
            return;
        }
        String id = gridName.getText().trim();
        AblationPlan planned;
        try {
            planned = plannedGrid();
        } catch (IllegalArgumentException e) {
            say("⚠ " + e.getMessage());
            return;
        }
        SessionsRoot root = root();
        RunControl c = new RunControl();
        control = c;
        setRunning(true);
        queueThread.submit(() -> {
            try {
                AblationGrid g = AblationGrid.list(root).contains(id) ? AblationGrid.open(root, id)
                        : AblationGrid.create(root, id, null, planned);
                if (!g.plan().equals(planned)) {
                    Platform.runLater(() -> say("Grid " + id + " goes on with the plan it was made with."));
                }
                reload(g);
                Platform.runLater(this::refreshGrids);
                ExperimentRun.Teacher teacher = teacherFor(g);
                GridRunner runner = new GridRunner(g, teacher, ExperimentRun.loadData(g.plan().base().data()),
                        Runtime.getRuntime().availableProcessors(), SessionsRoot.DEFAULT_PROBE_SECONDS);
                runner.runAll(new Progress(g), c);
                reload(g);
                Platform.runLater(() -> say((c.isCancelled() ? "Queue cancelled; " : "Queue done; ")
                        + summary(cells)));
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            } finally {
                Platform.runLater(() -> setRunning(false));
            }
        });
    }

    /** Carries the queue's progress to the FX thread, throttled to a few updates a second. */
    private final class Progress implements GridRunner.Listener {
        private final AblationGrid g;

        Progress(AblationGrid g) {
            this.g = g;
        }

        @Override
        public void cellStarted(AblationGrid.GridCell c, long fromStep) {
            update(c, AblationGrid.CellState.RUNNING, fromStep, 0, 0);
        }

        @Override
        public void event(AblationGrid.GridCell c, RunEvent e) {
            if (e instanceof RunEvent.Step s) {
                long now = System.nanoTime();
                if (now - lastProgress > 250_000_000L || s.metrics().step() + 1 == s.metrics().totalSteps()) {
                    lastProgress = now;
                    update(c, AblationGrid.CellState.RUNNING, s.metrics().step() + 1, s.metrics().totalSteps(),
                            s.metrics().elapsedSeconds());
                }
            }
        }

        @Override
        public void cellFinished(AblationGrid.GridCell c, CellResult r) {
            try {
                reload(g);
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        }

        private void update(AblationGrid.GridCell c, AblationGrid.CellState state, long steps, long total,
                            double seconds) {
            Platform.runLater(() -> {
                for (int i = 0; i < cells.size(); i++) {
                    if (cells.get(i).cell().index() == c.index()) {
                        AblationGrid.CellStatus before = cells.get(i);
                        cells.set(i, new AblationGrid.CellStatus(c, state, steps, total > 0 ? total
                                : before.totalSteps(), seconds, null));
                    }
                }
                say(queueText(c, steps, total, seconds));
            });
        }
    }

    /** "cell 3 of 8 · W2A2 IRM seed 1 · step 120/471 · ETA 1:02:10 for the queue". */
    private String queueText(AblationGrid.GridCell c, long steps, long total, double seconds) {
        String eta = "";
        if (steps > 0 && total > 0 && seconds > 0) {
            double perStep = seconds / steps;
            long remaining = 0;
            for (AblationGrid.CellStatus s : cells) {
                if (s.state() != AblationGrid.CellState.FINISHED && s.state() != AblationGrid.CellState.FAILED) {
                    remaining += total - (s.cell().index() == c.index() ? steps : s.steps());
                }
            }
            eta = " · ETA " + dev.qvit.app.task.TrainingTask.clock(remaining * perStep) + " for the queue";
        }
        long done = cells.stream().filter(s -> s.state() == AblationGrid.CellState.FINISHED).count();
        return "cell %d of %d (%d finished) · %s · step %d/%d%s".formatted(c.index() + 1, cells.size(), done,
                c.label(), steps, total, eta);
    }

    private static String summary(List<AblationGrid.CellStatus> statuses) {
        Map<AblationGrid.CellState, Long> n = new java.util.EnumMap<>(AblationGrid.CellState.class);
        statuses.forEach(s -> n.merge(s.state(), 1L, Long::sum));
        return "%d cells: %d finished, %d stopped, %d waiting%s".formatted(statuses.size(),
                n.getOrDefault(AblationGrid.CellState.FINISHED, 0L), n.getOrDefault(AblationGrid.CellState.STOPPED, 0L),
                n.getOrDefault(AblationGrid.CellState.PENDING, 0L),
                n.containsKey(AblationGrid.CellState.RUNNING) ? ", " + n.get(AblationGrid.CellState.RUNNING)
                        + " running elsewhere" : "");
    }

    private void setRunning(boolean on) {
        queueRunning = on;
        run.setDisable(on);
        pause.setDisable(!on);
        cancel.setDisable(!on);
        pause.setText("Pause");
        gridChoice.setDisable(on);
    }

    void togglePause() {
        RunControl c = control;
        if (c == null || !queueRunning) {
            return;
        }
        if (c.isPaused()) {
            c.resume();
            pause.setText("Pause");
        } else {
            c.pause();
            pause.setText("Resume");
            say("Queue paused between two steps.");
        }
    }

    void cancelQueue() {
        RunControl c = control;
        if (c != null) {
            c.cancel();
            say("Cancelling: the running cell stops after its current step and resumes from its last checkpoint.");
        }
    }

    boolean queueRunning() {
        return queueRunning;
    }

    // ---- table, charts, exports ----

    List<AblationRow> rows() {
        AblationGrid g = grid;
        if (g == null || finished.isEmpty()) {
            return List.of();
        }
        return AblationStatistics.rows(finished, teacherAccuracy, g.plan().base().model() != null
                ? g.plan().base().model() : workbench.teacher().model().config(),
                g.plan().base().quantization().embeddingBits());
    }

    private void drawCharts() {
        List<AblationRow> rows = rows();
        if (rows.isEmpty()) {
            barChart.setChart(null);
        } else {
            barChart.setChart(AblationCharts.accuracyBars(rows, teacherAccuracy));
        }
        List<Integer> bitWidths = finished.stream().map(CellResult::bits).distinct().sorted((a, b) -> b - a).toList();
        Integer chosen = fig1Bits.getValue();
        fig1Bits.getItems().setAll(bitWidths);
        Integer layerChosen = layerBits.getValue();
        layerBits.getItems().setAll(bitWidths);
        layerBits.setValue(layerChosen != null && bitWidths.contains(layerChosen) ? layerChosen
                : bitWidths.isEmpty() ? null : bitWidths.get(0));
        showLayers();
        fig1Bits.setValue(chosen != null && bitWidths.contains(chosen) ? chosen
                : bitWidths.isEmpty() ? null : bitWidths.get(0));
        drawFig1();
    }

    /** Rows: the tensors; columns: SQNR and oscillation of each variant at the chosen bits. */
    private void showLayers() {
        Integer b = layerBits.getValue();
        layers.getColumns().clear();
        layers.getItems().clear();
        if (b == null) {
            return;
        }
        List<CellResult> atBits = finished.stream().filter(c -> c.bits() == b && !c.diagnostics().isEmpty()).toList();
        List<String> tensors = atBits.stream().flatMap(c -> c.diagnostics().stream().map(
                dev.qvit.records.LayerDiagnostics::tensor)).distinct().toList();
        layers.getColumns().add(column("tensor", t -> t, 200));
        List<String> variantsHere = atBits.stream().map(AblationTable::label).distinct().toList();
        for (String v : variantsHere) {
            List<CellResult> group = atBits.stream().filter(c -> AblationTable.label(c).equals(v)).toList();
            String name = v.substring(v.indexOf(' ') + 1);
            layers.getColumns().add(column(name + " SQNR", t -> number(meanOf(group, t, true), 1, 1), 150));
            layers.getColumns().add(column(name + " osc. ‰", t -> number(meanOf(group, t, false), 1000, 3), 140));
        }
        layers.getItems().setAll(tensors);
        ColumnFit.fit(layers);
    }

    private static double meanOf(List<CellResult> group, String tensor, boolean sqnr) {
        return group.stream().flatMap(c -> c.diagnostics().stream()).filter(d -> d.tensor().equals(tensor))
                .mapToDouble(d -> sqnr ? d.sqnrDb() : d.oscillation()).filter(Double::isFinite).average()
                .orElse(Double.NaN);
    }

    private static String number(double v, double scale, int digits) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v * scale);
    }

    private void drawFig1() {
        Integer b = fig1Bits.getValue();
        List<AblationCharts.Fig1Model> models = fig1Models(b == null ? -1 : b);
        fig1Chart.setChart(models.size() < 2 ? null : AblationCharts.fig1(models, fig1Keys.isSelected(),
                fig1Quantized.isSelected() ? "after the quantizers" : "entering the quantizers"));
    }

    /** The teacher, then the baseline and the IRM model at {@code bits} where they finished (lowest seed first). */
    List<AblationCharts.Fig1Model> fig1Models(int bitWidth) {
        List<AblationCharts.Fig1Model> out = new ArrayList<>();
        List<CellResult> atBits = finished.stream().filter(c -> c.bits() == bitWidth && !c.histograms().isEmpty())
                .sorted(java.util.Comparator.comparingLong(CellResult::seed)).toList();
        if (atBits.isEmpty()) {
            return out;
        }
        out.add(new AblationCharts.Fig1Model("FP teacher", atBits.get(0).teacherHistograms()));
        for (Variant v : new Variant[] {Variant.BASE, Variant.IRM}) {
            atBits.stream().filter(c -> Variant.parse(c.variant()) == v).findFirst().ifPresent(c -> out.add(
                    new AblationCharts.Fig1Model("W%dA%d %s (seed %d)".formatted(c.bits(), c.bits(),
                            AblationTable.label(c).substring(AblationTable.label(c).indexOf(' ') + 1), c.seed()),
                            fig1Quantized.isSelected() || c.inputHistograms().isEmpty() ? c.histograms()
                                    : c.inputHistograms())));
        }
        return out;
    }

    String markdown() {
        AblationGrid g = grid;
        String recipe = g == null ? "" : "Grid " + g.id() + ": " + g.plan().describe() + ".";
        return AblationTable.statisticsMarkdown(rows(), teacherAccuracy, recipe) + "\n"
                + AblationTable.blocksMarkdown(finished);
    }

    private Button exportButton(String id, String text, String file, java.util.function.Supplier<String> content) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> chooseFolder().ifPresent(d -> exportText(d.resolve(file), content.get())));
        return b;
    }

    private Optional<Path> chooseFolder() {
        if (finished.isEmpty()) {
            say("⚠ Nothing to export yet: no cell of this grid has finished.");
            return Optional.empty();
        }
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Export the ablation into a folder");
        File f = chooser.showDialog(stage);
        return Optional.ofNullable(f).map(File::toPath);
    }

    /** Writes {@code text} to a new file (an existing one is never written over). */
    void exportText(Path file, String text) {
        io.submit(() -> {
            try {
                if (java.nio.file.Files.exists(file)) {
                    throw new java.io.IOException(file + " exists: choose another folder or remove it first");
                }
                dev.qvit.model.io.Safetensors.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
                Platform.runLater(() -> say("Exported " + file));
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        });
    }

    /** The bar chart and Fig. 1 as {@code format} (svg or png) files in {@code dir}. */
    void exportCharts(Path dir, String format) {
        Map<String, org.jfree.chart.JFreeChart> charts = new LinkedHashMap<>();
        if (barChart.chart() != null) {
            charts.put("accuracy-bars", barChart.chart());
        }
        if (fig1Chart.chart() != null) {
            charts.put("fig1-" + (fig1Keys.isSelected() ? "k" : "q") + "-w" + fig1Bits.getValue(), fig1Chart.chart());
        }
        io.submit(() -> {
            try {
                for (Map.Entry<String, org.jfree.chart.JFreeChart> c : charts.entrySet()) {
                    Path f = dir.resolve(c.getKey() + "." + format);
                    if (java.nio.file.Files.exists(f)) {
                        throw new java.io.IOException(f + " exists: choose another folder or remove it first");
                    }
                    if (format.equals("svg")) {
                        ChartExport.svg(c.getValue(), f, 1400, 700);
                    } else {
                        ChartExport.png(c.getValue(), f, 1400, 700);
                    }
                }
                Platform.runLater(() -> say("Exported " + charts.size() + " charts to " + dir));
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        });
    }

    private void writeSlurm() {
        AblationGrid g = grid;
        if (g == null) {
            say("⚠ Choose or run a grid first: the script runs its cells.");
            return;
        }
        List<Integer> todo = cells.stream().filter(s -> s.state() == AblationGrid.CellState.PENDING
                || s.state() == AblationGrid.CellState.STOPPED).map(s -> s.cell().index()).toList();
        Path launcher = SlurmArray.defaultLauncher();
        io.submit(() -> {
            try {
                Path script = new SlurmArray(launcher, null, "02:00:00", 2, "6G", 4).write(g, todo);
                Platform.runLater(() -> say("Wrote " + script + ": submit it with sbatch on the cluster; finished "
                        + "cells appear here as their sessions do."));
            } catch (Exception e) {
                Platform.runLater(() -> say("⚠ " + Messages.of(e)));
            }
        });
    }

    private void openSession(AblationGrid.CellStatus s) {
        if (s.state() == AblationGrid.CellState.PENDING) {
            say("Cell " + s.cell().index() + " has not started: there is no session to open yet.");
            return;
        }
        workbench.showSession(s.cell().session());
        ((Stage) stage.getOwner()).toFront();
    }

    private void openSession(AblationRow r) {
        finished.stream().filter(c -> c.bits() == r.bits() && AblationTable.label(c).equals(r.label())
                && c.session() != null).findFirst().ifPresent(c -> {
                    workbench.showSession(c.session());
                    ((Stage) stage.getOwner()).toFront();
                });
    }

    private void say(String text) {
        status.setText(text);
    }

    /** Re-reads the shown grid (e.g. after array tasks elsewhere finished cells). */
    void reloadShown() {
        AblationGrid g = grid;
        if (g != null) {
            io.submit(() -> {
                try {
                    reload(g);
                } catch (Exception e) {
                    Platform.runLater(() -> say("⚠ " + Messages.of(e)));
                }
            });
        }
    }
}
