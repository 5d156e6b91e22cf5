package dev.qvit.app.fx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.AblationRow;
import dev.qvit.sessions.AblationGrid;
import dev.qvit.sessions.SessionsRoot;
import dev.qvit.viz.chart.AblationCharts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The ablation studio on tiny real grids of the bundled teacher: the queue fills the table and the charts, Cancel
 * stops it, and a studio opened again (as after closing the window) goes on without rerunning finished cells.
 */
@Tag("fx")
@ExtendWith(ApplicationExtension.class)
class AblationStudioTest {
    private WorkbenchWindow window;
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) {
        window = new WorkbenchWindow(stage);
        stage.show();
    }

    @AfterEach
    void forgetTheTemporaryFolder() throws Exception {
        Thread.sleep(200);
        Files.deleteIfExists(WorkbenchSettings.file());
    }

    @Test
    void aTinyGridFillsTheTableTheBarChartAndFig1(FxRobot robot) throws Exception {
        // given the bundled teacher and a 2-bit grid of baseline and IRM over two seeds
        AblationStudio studio = studio(robot);
        robot.interact(() -> plan(studio, "ui-grid", "0,1", true));
        // when the queue runs
        robot.interact(studio::runQueue);
        waitForQueue(studio);
        // then every cell finished into its own session and the table has a row per variant with the paired CI
        assertThat(studio.queue.getItems()).extracting(AblationGrid.CellStatus::state)
                .containsOnly(AblationGrid.CellState.FINISHED).hasSize(4);
        List<AblationRow> rows = studio.results.getItems();
        assertThat(rows).extracting(AblationRow::label).containsExactly("W2A2 baseline", "W2A2 IRM(distribution)");
        assertThat(rows.get(1).vsBaseline().n()).isEqualTo(2);
        assertThat(rows.get(1).vsBaseline().low()).isLessThanOrEqualTo(rows.get(1).vsBaseline().mean());
        assertThat(rows.get(0).cost().bops()).isGreaterThan(0);
        assertThat(studio.status.getText()).contains("Queue done; 4 cells: 4 finished");
        // and every column of the table is wide enough for its header and its widest value (none cut to "…")
        javafx.scene.text.Font font = ((javafx.scene.control.Labeled) studio.results.lookup(".table-cell")).getFont();
        for (javafx.scene.control.TableColumn<AblationRow, ?> c : studio.results.getColumns()) {
            for (AblationRow r : rows) {
                assertThat(c.getWidth()).as(c.getText()).isGreaterThan(
                        ColumnFit.width(String.valueOf(c.getCellData(r)), font) + 8);
            }
            assertThat(c.getWidth()).as(c.getText()).isGreaterThan(ColumnFit.width(c.getText(), font) + 8);
        }
        // and the bar chart and Fig. 1 (teacher, baseline, IRM) are drawn from the cells
        assertThat(studio.barChart.chart()).isNotNull();
        assertThat(studio.fig1Models(2)).extracting(AblationCharts.Fig1Model::name).containsExactly("FP teacher",
                "W2A2 baseline (seed 0)", "W2A2 IRM(distribution) (seed 0)");
        assertThat(studio.fig1Chart.chart()).isNotNull();
        // and the per-layer tab lists SQNR and oscillation per quantized tensor for both variants
        assertThat(studio.layers.getItems()).contains("blocks.0.attn.qkv.weight", "blocks.3.attn.attention");
        assertThat(studio.layers.getColumns()).extracting(c -> c.getText()).contains("baseline SQNR",
                "IRM(distribution) osc. ‰");
        // and the exports write the table and the charts
        Path out = Files.createDirectories(dir.resolve("export"));
        robot.interact(() -> {
            studio.exportText(out.resolve("results.md"), studio.markdown());
            studio.exportCharts(out, "svg");
        });
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> Files.exists(out.resolve("fig1-q-w2.svg")));
        assertThat(Files.readString(out.resolve("results.md"))).contains("| W2A2 IRM(distribution) | 2 |");
        assertThat(Files.readString(out.resolve("accuracy-bars.svg"))).startsWith("<!DOCTYPE svg").contains("FP teacher");
    }

    @Test
    void aCancelledQueueGoesOnInAStudioOpenedAgainWithoutRerunningFinishedCells(FxRobot robot) throws Exception {
        // given a grid of three baseline cells, cancelled once the first has finished
        AblationStudio studio = studio(robot);
        robot.interact(() -> plan(studio, "ui-cancel", "0,1,2", false));
        robot.interact(studio::runQueue);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !studio.queue.getItems().isEmpty()
                && studio.queue.getItems().get(0).state() == AblationGrid.CellState.FINISHED);
        // (Pause holds the queue between two steps, Resume lets it go on)
        robot.interact(studio::togglePause);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, WorkbenchRunTest::trainingThreadWaitsForResume);
        assertThat(studio.pause.getText()).isEqualTo("Resume");
        robot.interact(studio::togglePause);
        assertThat(studio.pause.getText()).isEqualTo("Pause");
        robot.interact(studio::cancelQueue);
        waitForQueue(studio);
        assertThat(studio.status.getText()).startsWith("Queue cancelled");
        assertThat(studio.queue.getItems()).extracting(AblationGrid.CellStatus::state)
                .filteredOn(s -> s == AblationGrid.CellState.FINISHED).hasSizeLessThan(3);
        SessionsRoot root = new SessionsRoot(dir.resolve("sessions"));
        Path first = root.folder("ui-cancel.w2-base-seed0").resolve("cell.json");
        FileTime written = Files.getLastModifiedTime(first);
        // when the studio is closed and a new one opens the grid and runs it
        robot.interact(() -> studio.stage().close());
        AblationStudio[] reopened = new AblationStudio[1];
        robot.interact(() -> {
            reopened[0] = new AblationStudio(window.workbench(), window.stage());
            reopened[0].show();
            reopened[0].open("ui-cancel");
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> reopened[0].queue.getItems().size() == 3);
        robot.interact(reopened[0]::runQueue);
        waitForQueue(reopened[0]);
        // then every cell has finished, the first one untouched
        assertThat(reopened[0].queue.getItems()).extracting(AblationGrid.CellStatus::state)
                .containsOnly(AblationGrid.CellState.FINISHED);
        assertThat(Files.getLastModifiedTime(first)).isEqualTo(written);
        assertThat(reopened[0].results.getItems()).hasSize(1);
        assertThat(reopened[0].results.getItems().get(0).seeds()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aSwinTeacherGivesSwinCellsWithTheirCostsLayersAndFig1(FxRobot robot) throws Exception {
        // given the shipped Swin teacher opened in the window, and a 2-bit baseline/IRM grid of one seed
        AblationStudio studio = studio(robot, TeacherSource.open(Path.of("..", "checkpoints",
                "teacher-swin-tiny.qvit")));
        robot.interact(() -> plan(studio, "ui-swin", "0", true));
        robot.interact(studio::runQueue);
        waitForQueue(studio);
        // then the cells are Swins (their sessions say so), with costs, per-tensor rows and Fig. 1 per block
        assertThat(studio.queue.getItems()).extracting(AblationGrid.CellStatus::state)
                .containsOnly(AblationGrid.CellState.FINISHED).hasSize(2);
        SessionsRoot root = new SessionsRoot(dir.resolve("sessions"));
        assertThat(Files.readString(root.folder("ui-swin.w2-base-seed0").resolve("spec.json")))
                .contains("\"architecture\" : \"swin\"");
        List<AblationRow> rows = studio.results.getItems();
        assertThat(rows).extracting(AblationRow::label).containsExactly("W2A2 baseline", "W2A2 IRM(distribution)");
        assertThat(rows.get(0).cost().bops()).isGreaterThan(0);
        assertThat(studio.layers.getItems()).anyMatch(n -> n.startsWith("layers.1.blocks.1.attn."));
        assertThat(studio.fig1Models(2)).hasSize(3);
        assertThat(studio.fig1Chart.chart()).isNotNull();
    }

    private AblationStudio studio(FxRobot robot) throws Exception {
        return studio(robot, RecordedRun.teacher());
    }

    private AblationStudio studio(FxRobot robot, TeacherSource teacher) throws Exception {
        robot.interact(() -> window.workbench().setSessionsRoot(dir.resolve("sessions")));
        robot.interact(() -> window.workbench().adoptTeacher(teacher));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> window.workbench().teacher() != null);
        AblationStudio[] s = new AblationStudio[1];
        robot.interact(() -> {
            s[0] = window.studio();
            s[0].show();
        });
        return s[0];
    }

    /** 2 bits, the given seeds, baseline (and IRM), 1 epoch of 64 bundled images, small test and probe sets. */
    private static void plan(AblationStudio studio, String id, String seeds, boolean irm) {
        studio.gridName.setText(id);
        studio.bits.forEach((b, c) -> c.setSelected(b == 2));
        studio.variants.forEach((v, c) -> c.setSelected(v == dev.qvit.model.experiment.Variant.BASE
                || irm && v == dev.qvit.model.experiment.Variant.IRM));
        studio.seeds.setText(seeds);
        studio.epochs.setText("1");
        studio.trainImages.setText("64");
        studio.data.setValue("bundled");
        studio.testImages = 32;
        studio.probeImages = 8;
    }

    private static void waitForQueue(AblationStudio studio) throws Exception {
        WaitForAsyncUtils.waitFor(240, TimeUnit.SECONDS, () -> !studio.queueRunning());
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(300);                                       // the last reload reaches the FX thread
        WaitForAsyncUtils.waitForFxEvents();
    }
}
