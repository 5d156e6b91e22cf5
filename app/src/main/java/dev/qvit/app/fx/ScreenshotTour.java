package dev.qvit.app.fx;

import dev.qvit.records.HeadMetric;
import java.io.IOException;
import dev.qvit.viz.fx.ChartPane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TextField;
import javafx.util.Duration;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the window through a short 2-bit run and saves one screenshot per view into a folder (the README's
 * pictures come from it: {@code ./qvit screenshots --out docs}). FX thread only; each step waits for a condition.
 */
final class ScreenshotTour {
    private static final Logger LOG = LoggerFactory.getLogger(ScreenshotTour.class);
    private final WorkbenchWindow window;
    private final Workbench w;
    private final Path out;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final Timeline ticker = new Timeline(new KeyFrame(Duration.millis(500), e -> tick()));
    private long waitingSince = System.currentTimeMillis();

    private record Step(String name, BooleanSupplier ready, Runnable action) {
    }

    ScreenshotTour(WorkbenchWindow window, Path out) {
        this.window = window;
        this.w = window.workbench();
        this.out = out;
    }

    void start(int bits, int images, int snapshots) {
        then("teacher", () -> w.teacher() != null && w.state().snapshotCount() == 1, () -> { });
        if (Boolean.getBoolean("qvit.tour.throughputOnly")) {
            throughput(bits, images);
            return;
        }
        String session = System.getProperty("qvit.tour.session");
        if (session != null) {
            session(session);
            return;
        }
        String imported = System.getProperty("qvit.tour.import");
        if (imported != null) {
            imported(Path.of(imported), Path.of(System.getProperty("qvit.tour.importImages", ".")));
            return;
        }
        then("shoot teacher", this::chartsDrawn, () -> shoot("teacher"));
        demo();
        if (Boolean.getBoolean("qvit.tour.demoOnly") || Boolean.getBoolean("qvit.tour.studioOnly")) {
            if (Boolean.getBoolean("qvit.tour.studioOnly")) {
                studio();
            }
            then("stop", () -> true, window::close);
            ticker.setCycleCount(Timeline.INDEFINITE);
            ticker.play();
            return;
        }
        then("start", () -> true, () -> {
            ((TextField) w.experiment.images).setText(String.valueOf(images));
            w.experiment.epochs.setText("3");
            w.experiment.bits.setValue(bits);
            w.start(dev.qvit.model.experiment.ExperimentSpec.Kind.STUDENT);
        });
        then("run", () -> w.state().snapshotCount() >= snapshots || !w.running(), () -> {
            w.select(w.selection().withLayerHead(3, 1));
        });
        views("");
        then("dark theme", () -> true, () -> window.setDark(true));
        views("-dark");
        then("presentation, dark", () -> true, () -> window.setPresentation(true));
        views("-presentation-dark");
        then("presentation, light", () -> true, () -> window.setDark(false));
        views("-presentation");
        then("presentation off", () -> true, () -> {
            window.setPresentation(false);
            w.cancel();
        });
        then("sessions", () -> !w.running(), () -> window.sessions().show());
        then("shoot sessions", () -> chartsDrawn() && !window.sessions().table.getItems().isEmpty(),
                () -> shoot("sessions", window.sessions().stage().getScene()));
        then("compare", () -> window.sessions().table.getItems().size() >= 2, () -> {
            var items = window.sessions().table.getItems();        // the tour's run and one of another label
            window.sessions().table.getSelectionModel().clearSelection();
            window.sessions().table.getSelectionModel().select(0);
            items.stream().filter(s -> !java.util.Objects.equals(s.label(), items.get(0).label())).findFirst()
                    .ifPresent(s -> window.sessions().table.getSelectionModel().select(s));
            window.sessions().compare.fire();
        });
        then("shoot comparison", () -> chartsDrawn() && window.sessions().comparisonStage != null,
                () -> shoot("comparison", window.sessions().comparisonStage.getScene()));
        studio();
        then("stop", () -> true, () -> {
            window.studio().stage().hide();
            LOG.info("screenshots written to {}", out.toAbsolutePath());
            window.close();
        });
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    /**
     * The views of one saved session (-Dqvit.tour.session=ID, from the workbench's sessions folder), block 1 head 1
     * selected: for a Swin session, the shifted block of its first stage. Files are named {@code <view>-session}.
     */
    private void session(String id) {
        then("open " + id, () -> true, () -> w.showSession(id));
        then("opened", () -> w.state().snapshotCount() > 1, () -> w.select(w.selection().withLayerHead(1, 1)));
        views("-session");
        then("stop", () -> true, window::close);
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    /**
     * An RGB model opened as File > Open PyTorch model does (-Dqvit.tour.import=MODEL.safetensors,
     * -Dqvit.tour.importImages=DIR), quantized to 4 bits after training on the folder, block 0 head 1 and image 1
     * selected; files are named {@code <view>-deit}.
     */
    private void imported(Path model, Path images) {
        then("import " + model.getFileName(), () -> true, () -> {
            ImportDialog dialog = window.importDialog(model);
            dialog.folder.setText(images.toString());
            w.inspectImported(dialog.spec());
        });
        then("imported", () -> w.state().snapshotCount() == 1 && w.state().view(-1).teacher() != null
                && w.state().view(-1).images().channels() == 3,
                () -> w.select(w.selection().withLayerHead(0, 1).withImage(1)));
        views("-deit");
        then("stop", () -> true, window::close);
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    /**
     * One student run of {@code images} images for {@code qvit.tour.epochs} epochs (1) as a user starts it, views
     * drawing, then the window
     * closes: its session's images/s against the same spec run headless is the window's share of the command
     * line's speed (README, Measured).
     */
    private void throughput(int bits, int images) {
        then("start", () -> true, () -> {
            ((TextField) w.experiment.images).setText(String.valueOf(images));
            w.experiment.epochs.setText(String.valueOf(Integer.getInteger("qvit.tour.epochs", 1)));
            w.experiment.bits.setValue(bits);
            w.start(dev.qvit.model.experiment.ExperimentSpec.Kind.STUDENT);
        });
        then("trained", () -> w.running(), () -> { });
        then("stop", () -> !w.running(), window::close);
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    /** The ablation studio's tabs on {@link #studioGrid()}. */
    private void studio() {
        then("studio", () -> true, () -> {
            if (window.sessions().comparisonStage != null) {
                window.sessions().comparisonStage.close();
            }
            window.sessions().stage().hide();
            studioGrid().ifPresent(id -> {
                window.studio().show();
                window.studio().open(id);
            });
        });
        String[] studioShots = {"studio", "studio-bars", "studio-fig1", "studio-layers"};
        for (int i = 0; i < studioShots.length; i++) {
            int tab = i;
            then("tab " + studioShots[i], () -> studioGrid().isEmpty()
                    || !window.studio().results.getItems().isEmpty(), () -> {
                        if (studioGrid().isPresent()) {
                            window.studio().tabs.getSelectionModel().select(tab);
                        }
                    });
            then("shoot " + studioShots[i], this::chartsDrawn, () -> studioGrid().ifPresent(id ->
                    shoot(studioShots[tab], window.studio().stage().getScene())));
        }
    }

    /** The guided demo's steps, in normal size and in presentation mode. */
    private void demo() {
        then("demo", () -> true, window::showDemo);
        then("demo drawn", () -> window.demo().quantizer != null && window.demo().quantizer.distribution.drawn()
                && window.demo().quantizer.codes.drawn(), () -> { });
        demoShots("");
        then("demo presentation", () -> true, () -> window.setPresentation(true));
        demoShots("-presentation");
        then("demo at 1920x1080", () -> true, () -> {
            window.demo().stage().setWidth(1920);
            window.demo().stage().setHeight(1080);
            window.demo().go(1);
        });
        then("shoot demo-2-presentation-1080", this::chartsDrawn,
                () -> shoot("demo-2-presentation-1080", window.demo().stage().getScene()));
        then("demo closed", () -> true, () -> {
            window.demo().stage().setWidth(1280);
            window.demo().stage().setHeight(800);
            window.setPresentation(false);
            window.demo().stage().hide();
        });
    }

    /** Every step (each tab of the live students in normal size), named with {@code suffix}. */
    private void demoShots(String suffix) {
        then("demo step 1" + suffix, () -> true, () -> window.demo().go(0));
        then("shoot demo-1" + suffix, this::chartsDrawn, () -> shoot("demo-1" + suffix, window.demo().stage().getScene()));
        if (suffix.isEmpty()) {
            then("demo students", () -> true, () -> {            // the three live runs queue up
                for (int step = 1; step <= 3; step++) {
                    window.demo().go(step);
                }
            });
        }
        studentShot(1, DemoStudents.HISTOGRAMS, "demo-2" + suffix);
        if (suffix.isEmpty()) {
            studentShot(1, DemoStudents.OVERVIEW, "demo-2-overview");
            studentShot(1, DemoStudents.ATTENTION, "demo-2-attention");
            studentShot(2, DemoStudents.HISTOGRAMS, "demo-3");
        }
        studentShot(3, DemoStudents.SIMILARITY, "demo-4" + suffix);
        if (suffix.isEmpty()) {
            studentShot(3, DemoStudents.LOSSES, "demo-4-losses");
        }
        then("demo result" + suffix, () -> true, () -> window.demo().go(window.demo().stepCount() - 1));
        then("shoot demo-result" + suffix, this::chartsDrawn,
                () -> shoot("demo-result" + suffix, window.demo().stage().getScene()));
    }

    /** Step {@code step} (a live student) on tab {@code tab}, once its run has ended. */
    private void studentShot(int step, String tab, String name) {
        StudentStep[] student = new StudentStep[1];
        then(name, () -> {
            student[0] = window.demo().students.steps().get(step - 1);
            return student[0].finished();
        }, () -> {
            window.demo().go(step);
            student[0].showTab(tab);
        });
        then("shoot " + name, this::chartsDrawn, () -> shoot(name, window.demo().stage().getScene()));
    }

    /**
     * The grid the studio pictures show: {@code -Dqvit.tour.grid}, else the newest grid of the sessions folder that
     * has a finished cell; none (no pictures of the studio) when there is none.
     */
    private java.util.Optional<String> studioGrid() {
        if (studioGrid == null) {
            try {
                String wanted = System.getProperty("qvit.tour.grid");
                java.util.List<String> ids = dev.qvit.sessions.AblationGrid.list(w.sessionsRoot());
                String chosen = null;
                for (String id : ids) {
                    boolean finished = !dev.qvit.sessions.AblationGrid.open(w.sessionsRoot(), id).results().isEmpty();
                    if (finished && (chosen == null || id.equals(wanted))) {
                        chosen = id;
                    }
                }
                studioGrid = java.util.Optional.ofNullable(chosen);
            } catch (dev.qvit.sessions.SessionException e) {
                LOG.warn("no studio pictures: {}", e.getMessage());
                studioGrid = java.util.Optional.empty();
            }
        }
        return studioGrid;
    }

    private java.util.Optional<String> studioGrid;

    /** One picture per tab, then the overview showing another number (q code entropy), named with {@code suffix}. */
    private void views(String suffix) {
        String[] names = {"distributions", "attention", "losses", "quantizers"};
        for (int i = 0; i < names.length; i++) {
            int tab = i;
            then("tab " + names[i] + suffix, () -> true, () -> w.tabs.getSelectionModel().select(tab));
            then("shoot " + names[i] + suffix, this::chartsDrawn, () -> shoot(names[tab] + suffix));
        }
        then("overview metric" + suffix, () -> true, () -> {
            w.tabs.getSelectionModel().select(0);
            overviewMetric(HeadMetric.QUERY_CODE_ENTROPY);
        });
        then("shoot overview" + suffix, this::chartsDrawn, () -> shoot("overview" + suffix));
        then("overview metric back" + suffix, () -> true, () -> overviewMetric(HeadMetric.QUERY_STD_RATIO));
    }

    @SuppressWarnings("unchecked")
    private void overviewMetric(HeadMetric metric) {
        ((ComboBox<HeadMetric>) window.scene().lookup("#overviewMetric")).setValue(metric);
    }

    private void then(String name, BooleanSupplier ready, Runnable action) {
        steps.add(new Step(name, ready, action));
    }

    /** 2.5 s after the last action, and every chart pane of the windows on screen is showing its newest chart. */
    private boolean chartsDrawn() {
        if (System.currentTimeMillis() - waitingSince <= 2500) {
            return false;
        }
        for (javafx.stage.Window shown : javafx.stage.Window.getWindows()) {
            if (shown.isShowing() && shown.getScene() != null) {
                for (javafx.scene.Node n : shown.getScene().getRoot().lookupAll(".chart-pane")) {
                    ChartPane pane = (ChartPane) n;
                    if (treeVisible(pane) && pane.shownGeneration() < pane.generation()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean treeVisible(javafx.scene.Node node) {
        for (javafx.scene.Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private void tick() {
        Step next = steps.peek();
        if (next == null) {
            ticker.stop();
            return;
        }
        if (next.ready().getAsBoolean()) {
            steps.poll();
            next.action().run();
            waitingSince = System.currentTimeMillis();
        } else if (System.currentTimeMillis() - waitingSince > 600_000) {
            LOG.error("screenshot tour stuck at {}", next.name());
            Platform.exit();
        }
    }

    private void shoot(String name) {
        shoot(name, window.scene());
    }

    private void shoot(String name, javafx.scene.Scene scene) {
        try {
            Files.createDirectories(out);
            Path file = out.resolve("workbench-" + name + ".png");
            ImageIO.write(SwingFXUtils.fromFXImage(scene.snapshot(null), null), "png", file.toFile());
            LOG.info("saved {}", file);
        } catch (IOException e) {
            LOG.error("cannot save screenshot {}: {}", name, e.getMessage());
        }
    }
}
