package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.Variant;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.RunControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AblationGridTest {
    /** As the command line makes them: the model left to the teacher. */
    private static final AblationPlan PLAN = new AblationPlan(Runs.student().withModel(null), List.of(2),
            List.of(Variant.BASE, Variant.IRM_DGD), List.of(0L), QuantizationConfig.Rectification.DISTRIBUTION, 8);
    private static final FashionMnist.Splits DATA = ExperimentRun.loadData(PLAN.base().data());

    @Test
    void aCancelledGridGoesOnWhereItStoppedAndNeverRerunsAFinishedCell(@TempDir Path dir) throws Exception {
        // given a grid of two cells whose second cell is cancelled after step 4 of 6
        SessionsRoot root = new SessionsRoot(dir.resolve("a"));
        AblationGrid grid = AblationGrid.create(root, "g", null, PLAN);
        RunControl control = new RunControl();
        new GridRunner(grid, Runs.TEACHER, DATA, 2, 1e6).checkpointingEvery(2).runAll(new GridRunner.Listener() {
            @Override
            public void event(AblationGrid.GridCell c, RunEvent e) {
                if (c.index() == 1 && e instanceof RunEvent.Step s && s.metrics().step() + 1 == 4) {
                    control.cancel();
                }
            }
        }, control);
        assertThat(grid.statuses()).extracting(AblationGrid.CellStatus::state)
                .containsExactly(AblationGrid.CellState.FINISHED, AblationGrid.CellState.STOPPED);
        Path finished = root.folder("g.w2-base-seed0").resolve(AblationGrid.CELL_RESULT);
        FileTime written = Files.getLastModifiedTime(finished);
        // when the grid is opened again (as after closing the window) and run
        AblationGrid reopened = AblationGrid.open(root, "g");
        List<String> started = new ArrayList<>();
        List<CellResult> done = new GridRunner(reopened, Runs.TEACHER, DATA, 2, 1e6).checkpointingEvery(2)
                .runAll(new GridRunner.Listener() {
                    @Override
                    public void cellStarted(AblationGrid.GridCell c, long fromStep) {
                        started.add(c.index() + "@" + fromStep);
                    }
                }, new RunControl());
        // then only the stopped cell ran, from its last checkpoint, and the finished one was left alone
        assertThat(started).containsExactly("1@4");
        assertThat(done).hasSize(1);
        assertThat(Files.getLastModifiedTime(finished)).isEqualTo(written);
        assertThat(reopened.results()).hasSize(2);
        AblationGrid.Progress progress = reopened.progress();                      // what the studio refreshes
        assertThat(progress.statuses()).isEqualTo(reopened.statuses());
        assertThat(progress.results()).extracting(CellResult::session, CellResult::testAccuracy)
                .isEqualTo(reopened.results().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.session(),
                        r.testAccuracy())).toList());
        // and the resumed cell ends exactly as the same cell run in one go elsewhere, on another thread count
        AblationGrid elsewhere = AblationGrid.create(new SessionsRoot(dir.resolve("b")), "g", null, PLAN);
        CellResult once = new GridRunner(elsewhere, Runs.TEACHER, DATA, 1, 1e6).run(elsewhere.cell(1),
                new GridRunner.Listener() { }, new RunControl()).orElseThrow();
        CellResult resumed = done.get(0);
        assertThat(resumed.testAccuracy()).isEqualTo(once.testAccuracy());
        assertThat(resumed.epochs()).extracting(e -> e.testLoss()).isEqualTo(once.epochs().stream()
                .map(e -> e.testLoss()).toList());
        assertThat(resumed.blocks()).isEqualTo(once.blocks());
        assertThat(resumed.diagnostics()).isEqualTo(once.diagnostics());                 // the oscillation too
        // and the cell's measurements name its session and carry the diagnostics
        assertThat(resumed.session()).isEqualTo("g.w2-irm+dgd-seed0");
        assertThat(resumed.diagnostics()).extracting(d -> d.tensor()).contains("blocks.0.attn.qkv.weight",
                "blocks.1.attn.q", "blocks.1.attn.attention");
        assertThat(resumed.histograms()).hasSize(2);
        assertThat(resumed.inputHistograms()).hasSize(2);
        // and a cell an older workbench measured is measured again from its last checkpoint, to the same numbers,
        // keeping what only its run could measure
        CellResult old = new CellResult(resumed.bits(), resumed.variant(), resumed.seed(), resumed.irmForm(),
                resumed.lambda(), resumed.testAccuracy(), resumed.distillation(), resumed.epochs(), resumed.blocks(),
                resumed.seconds(), resumed.histograms(), List.of(), resumed.teacherHistograms(), resumed.diagnostics(),
                resumed.session(), 0);
        AblationGrid.writeResult(root.folder(resumed.session()), old);
        assertThat(reopened.status(reopened.cell(1)).message()).isEqualTo(AblationGrid.MEASURED_BEFORE);
        new GridRunner(reopened, Runs.TEACHER, DATA, 2, 1e6).runAll(new GridRunner.Listener() { }, new RunControl());
        CellResult again = reopened.result(reopened.cell(1)).orElseThrow();
        assertThat(again.measurement()).isEqualTo(CellResult.MEASUREMENT);
        assertThat(again.blocks()).isEqualTo(resumed.blocks());
        assertThat(again.inputHistograms()).usingRecursiveComparison().isEqualTo(resumed.inputHistograms());
        assertThat(again.diagnostics()).isEqualTo(resumed.diagnostics());
        assertThat(again.distillation()).isEqualTo(resumed.distillation());
    }

    @Test
    void theCellTableNumbersTheCellsAsTheArrayTasksDo(@TempDir Path dir) throws Exception {
        AblationGrid grid = AblationGrid.create(new SessionsRoot(dir), "g", null, PLAN);
        assertThat(Files.readAllLines(grid.dir().resolve(AblationGrid.CELLS))).containsExactly(
                "index\tcell\tsession\tbits\tvariant\tseed", "0\tw2-base-seed0\tg.w2-base-seed0\t2\tbase\t0",
                "1\tw2-irm+dgd-seed0\tg.w2-irm+dgd-seed0\t2\tirm+dgd\t0");
        assertThat(AblationGrid.open(new SessionsRoot(dir), "g").plan()).isEqualTo(PLAN);
        assertThat(AblationGrid.list(new SessionsRoot(dir))).containsExactly("g");
        assertThat(new SessionsRoot(dir).list()).as("a grid is not a session").isEmpty();
        assertThatThrownBy(() -> AblationGrid.create(new SessionsRoot(dir), "g", null, PLAN))
                .hasMessageContaining("a grid g already exists");
        assertThatThrownBy(() -> grid.cell(2)).hasMessageContaining("grid g has cells 0 to 1, not 2");
        // a damaged or foreign plan is refused in one sentence naming the file
        Files.writeString(grid.dir().resolve(AblationGrid.PLAN), "{\"format\": \"something else\"}");
        assertThatThrownBy(() -> AblationGrid.open(new SessionsRoot(dir), "g"))
                .hasMessageEndingWith("grid.json is not a grid description (format qvit-grid expected)");
        Files.writeString(grid.dir().resolve(AblationGrid.PLAN), "{ not json");
        assertThatThrownBy(() -> AblationGrid.open(new SessionsRoot(dir), "g"))
                .hasMessageContaining("grid.json is not a grid description");
        assertThatThrownBy(() -> AblationGrid.open(new SessionsRoot(dir), "../x")).hasMessageContaining("is not a "
                + "session id");
    }

    @Test
    void aPlanThatLeavesTheModelToTheTeacherMatchesTheSessionThatNamesIt() {
        var cell = PLAN.base();
        assertThat(GridRunner.sameExperiment(cell.withModel(Runs.NARROW), cell)).isTrue();
        assertThat(GridRunner.sameExperiment(cell.withModel(Runs.NARROW).withSeed(7), cell)).isFalse();
        assertThat(GridRunner.sameExperiment(cell.withModel(Runs.NARROW).withSeed(7), cell.withModel(Runs.NARROW)))
                .isFalse();
    }

    @Test
    void theSbatchScriptRunsOneCellPerArrayTask(@TempDir Path dir) throws Exception {
        AblationGrid grid = AblationGrid.create(new SessionsRoot(dir), "g", null, PLAN);
        Path script = new SlurmArray(Path.of("/opt/qvit/qvit"), "debug", "01:00:00", 2, "4G", 3)
                .write(grid, List.of(0, 1));
        assertThat(Files.readString(script)).contains("#SBATCH --array=0-1%3\n", "#SBATCH --cpus-per-task=2\n",
                "#SBATCH --partition=debug\n", "#SBATCH --mem=4G\n",
                "exec '/opt/qvit/qvit' ablate --sessions '" + dir.toAbsolutePath() + "' --grid g --cell "
                        + "\"$SLURM_ARRAY_TASK_ID\" --threads 2\n");
        assertThat(SlurmArray.ranges(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2,5,7-8");
        assertThatThrownBy(() -> new SlurmArray(Path.of("q"), null, "1:00; rm -rf /", 2, "4G", 1))
                .hasMessageContaining("is not a value sbatch takes");
    }
}
