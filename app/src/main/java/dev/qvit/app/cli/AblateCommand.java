package dev.qvit.app.cli;

import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.AblationStatistics;
import dev.qvit.model.experiment.AblationTable;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.Variant;
import dev.qvit.records.AblationRow;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.sessions.AblationGrid;
import dev.qvit.sessions.GridRunner;
import dev.qvit.sessions.SessionException;
import dev.qvit.sessions.SessionsRoot;
import dev.qvit.sessions.SlurmArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvit ablate}: the bits x variants x seeds grid from one teacher, kept as a grid under the sessions root
 * (each cell a session, so an interrupted grid resumes where it stopped and the window's studio shows it); run here,
 * one cell at a time ({@code --cell}, what a Slurm array task runs), as an sbatch array ({@code --slurm}), or just
 * gathered ({@code --collect}).
 */
@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = "Run the IRM/DGD ablation grid (each cell a session) and write its tables.")
public final class AblateCommand implements Callable<Integer> {
    private static final String[] PLAN_OPTIONS = {"--teacher", "--bits", "--variants", "--seeds", "--irm-form",
        "--lambda", "--dgd-norm", "--epochs", "--lr", "--batch", "--probe-images", "--data", "--train-limit",
        "--test-limit"};
    private static final List<String> TABLES = List.of("results.md", "results.csv", "cells.csv", "blocks.csv");
    @ParentCommand
    QvitCommand qvit;
    @Spec
    CommandSpec spec;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadOptions threads;
    @Mixin
    SessionOptions sessions;

    @Option(names = "--teacher", description = "Full-precision teacher checkpoint, or 'bundled' (needed for a new grid).")
    String teacherFile;
    @Option(names = "--bits", defaultValue = "4,2", split = ",", description = "Bit widths (default: ${DEFAULT-VALUE}).")
    List<Integer> bits;
    @Option(names = "--variants", defaultValue = "base,irm,dgd,irm+dgd", split = ",",
            description = "Variants (default: ${DEFAULT-VALUE}).")
    List<String> variants;
    @Option(names = "--seeds", defaultValue = "0,1,2", split = ",", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;
    @Option(names = "--irm-form", defaultValue = "distribution", description = "IRM form of the irm variants: "
            + "distribution (the paper) or token (the official code; default: ${DEFAULT-VALUE}).")
    String irmForm;
    @Option(names = "--lambda", defaultValue = "0.1", description = "DGD weight (default: ${DEFAULT-VALUE}).")
    double lambda;
    @Option(names = "--dgd-norm", defaultValue = "head", description = "head or layer (default: ${DEFAULT-VALUE}).")
    String dgdNorm;
    @Option(names = "--epochs", defaultValue = "3", description = "QAT epochs per cell (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--lr", defaultValue = "2e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--probe-images", defaultValue = "256",
            description = "Test images for the q/k statistics (default: ${DEFAULT-VALUE}).")
    int probeImages;

    @Option(names = "--grid", defaultValue = "ablation", description = "The grid's id under the sessions folder: a new "
            + "one is made, an existing one of the same plan goes on (default: ${DEFAULT-VALUE}).")
    String gridId;
    @Option(names = "--cell", description = "Run only cell N of the grid (0-based, as cells.tsv numbers them; what a "
            + "Slurm array task runs).")
    Integer cell;
    @Option(names = "--collect", description = "Run nothing: gather the finished cells, whoever ran them, and write "
            + "the tables.")
    boolean collect;
    @Option(names = "--out", description = "Also write the tables into this folder (new files only, unless --force).")
    Path out;
    @Option(names = "--force", description = "Let --out write over tables an earlier ablate wrote there.")
    boolean force;

    @Option(names = "--slurm", description = "Write an sbatch array script (one task per unfinished cell) next to the "
            + "grid instead of running here.")
    boolean slurm;
    @Option(names = "--submit", description = "With --slurm: submit the script with sbatch.")
    boolean submit;
    @Option(names = "--partition", description = "With --slurm: the partition (default: the cluster's).")
    String partition;
    @Option(names = "--time", defaultValue = "02:00:00", description = "With --slurm: time limit per cell "
            + "(default: ${DEFAULT-VALUE}).")
    String time;
    @Option(names = "--cpus-per-task", defaultValue = "2", description = "With --slurm: cores per cell "
            + "(default: ${DEFAULT-VALUE}).")
    int cpusPerTask;
    @Option(names = "--mem", defaultValue = "6G", description = "With --slurm: memory per cell (default: ${DEFAULT-VALUE}).")
    String memory;
    @Option(names = "--max-parallel", defaultValue = "4", description = "With --slurm: cells running at once "
            + "(default: ${DEFAULT-VALUE}).")
    int maxParallel;

    @Override
    public Integer call() throws Exception {
        if (submit && !slurm) {
            throw new IllegalArgumentException("--submit submits the script of --slurm: pass both");
        }
        if ((collect ? 1 : 0) + (slurm ? 1 : 0) + (cell != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("--collect, --slurm and --cell are different ways to use a grid: "
                    + "choose one");
        }
        sessions.check();
        if (sessions.id != null || sessions.none) {
            throw new IllegalArgumentException("each cell of a grid is a session named after the grid and the cell: "
                    + "--session and --no-session do not apply");
        }
        Path tablesOut = out == null ? null : qvit.outputs().folder(out, "ablation",
                f -> TABLES.contains(f.getFileName().toString()), force);          // refused before any cell runs
        SessionsRoot root = sessions.root(qvit.outputs());
        AblationGrid grid = openOrCreate(root);
        List<AblationGrid.CellStatus> statuses = grid.statuses();
        long finished = statuses.stream().filter(s -> s.state() == AblationGrid.CellState.FINISHED).count();
        long remeasure = statuses.stream().filter(s -> AblationGrid.MEASURED_BEFORE.equals(s.message())).count();
        System.out.printf("grid %s: %d cells (%d finished%s) in %s%n", grid.id(), statuses.size(), finished,
                remeasure == 0 ? "" : ", %d trained and measured by an older workbench: a run measures them again"
                        .formatted(remeasure), root.dir());
        if (slurm) {
            return writeSlurm(grid, statuses);
        }
        ExperimentRun.Teacher teacher = Teachers.load(grid.plan().base().teacher());
        if (!collect) {
            run(grid, teacher);
        }
        return writeTables(grid, teacher, tablesOut);
    }

    private AblationGrid openOrCreate(SessionsRoot root) throws SessionException {
        boolean exists = AblationGrid.list(root).contains(gridId);
        if (exists) {
            AblationGrid grid = AblationGrid.open(root, gridId);
            if (planGiven()) {
                AblationPlan asked = plan(teacherFile == null ? grid.plan().base().teacher() : teacherFile);
                if (!asked.equals(grid.plan())) {
                    throw new IllegalArgumentException(("grid %s in %s was made with another plan (%s); run it with no "
                            + "plan options to go on, or choose another --grid").formatted(gridId, root.dir(),
                            grid.plan().describe()));
                }
            }
            return grid;
        }
        if (collect || cell != null) {
            throw new IllegalArgumentException("there is no grid " + gridId + " in " + root.dir() + " to "
                    + (collect ? "collect" : "run a cell of"));
        }
        if (teacherFile == null) {
            throw new IllegalArgumentException("a new grid needs its teacher: --teacher FILE (or --teacher bundled)");
        }
        AblationPlan plan = plan(teacherFile);
        requireUsed(plan);
        if (!teacherFile.equals(ExperimentSpec.BUNDLED_TEACHER) && !java.nio.file.Files.isRegularFile(Path.of(teacherFile))) {
            throw new IllegalArgumentException("there is no teacher checkpoint " + teacherFile);
        }
        return AblationGrid.create(root, gridId, null, plan);
    }

    private boolean planGiven() {
        for (String o : PLAN_OPTIONS) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                return true;
            }
        }
        return false;
    }

    private AblationPlan plan(String teacher) {
        String kept = teacher.equals(ExperimentSpec.BUNDLED_TEACHER) ? teacher : Path.of(teacher).toAbsolutePath()
                .normalize().toString();
        ExperimentSpec base = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT,
                null, data.spec(), kept, QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE),
                DistillationSettings.of(false, lambda, DistributionGuidedDistillation.Norm.parse(dgdNorm)),
                ExperimentSpec.qatRecipe(epochs, lr, 0).withBatchSize(batch));
        return new AblationPlan(base, bits, variants.stream().map(Variant::parse).toList(), seeds,
                QuantizationConfig.Rectification.parse(irmForm), probeImages);
    }

    /** Options for variants the grid does not have are refused rather than silently ignored. */
    private void requireUsed(AblationPlan plan) {
        boolean irm = plan.variants().stream().anyMatch(Variant::rectification);
        boolean dgd = plan.variants().stream().anyMatch(Variant::distillation);
        for (String option : new String[] {"--irm-form", "--lambda", "--dgd-norm"}) {
            boolean used = option.equals("--irm-form") ? irm : dgd;
            if (!used && spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new IllegalArgumentException("%s has no effect: none of the variants %s uses %s"
                        .formatted(option, variants, option.equals("--irm-form") ? "IRM" : "DGD"));
            }
        }
    }

    private void run(AblationGrid grid, ExperimentRun.Teacher teacher) throws Exception {
        GridRunner runner = new GridRunner(grid, teacher, ExperimentRun.loadData(grid.plan().base().data()),
                threads.count(), sessions.probeSeconds).checkpointingEvery(sessions.checkpointEvery);
        int epochCount = grid.plan().training().epochs();
        GridRunner.Listener printer = new GridRunner.Listener() {
            private ProgressPrinter progress;

            @Override
            public void cellStarted(AblationGrid.GridCell c, long fromStep) {
                System.out.printf("== cell %d %s -> session %s%s%n", c.index(), c.label(), c.session(),
                        fromStep > 0 ? " (resumed from step " + fromStep + ")" : "");
                progress = new ProgressPrinter(System.out, epochCount);
            }

            @Override
            public void event(AblationGrid.GridCell c, RunEvent e) {
                e.dispatch(progress);
            }

            @Override
            public void cellFinished(AblationGrid.GridCell c, CellResult r) {
                System.out.printf("   cell %d: test accuracy %.2f%%, %.0f s%n", c.index(), 100 * r.testAccuracy(),
                        r.seconds());
            }

            @Override
            public void cellSkipped(AblationGrid.CellStatus s) {
                if (s.state() != AblationGrid.CellState.FINISHED) {
                    System.out.printf("   cell %d %s: %s%s, left as it is%n", s.cell().index(), s.cell().label(),
                            s.state().name().toLowerCase(Locale.ROOT), s.message() == null ? "" : " (" + s.message() + ")");
                }
            }
        };
        if (cell != null) {
            runner.run(grid.cell(cell), printer, new RunControl());
        } else {
            runner.runAll(printer, new RunControl());
        }
    }

    private int writeSlurm(AblationGrid grid, List<AblationGrid.CellStatus> statuses) throws Exception {
        List<Integer> todo = statuses.stream().filter(s -> s.state() == AblationGrid.CellState.PENDING
                || s.state() == AblationGrid.CellState.STOPPED).map(s -> s.cell().index()).toList();
        Path launcher = SlurmArray.defaultLauncher();
        Path script = new SlurmArray(launcher, partition, time, cpusPerTask, memory, maxParallel).write(grid, todo);
        System.out.printf("wrote %s (%d array tasks) and %s%n", script, todo.size(), grid.dir().resolve("cells.tsv"));
        if (!submit) {
            System.out.println("submit it with: sbatch " + script + "; then ./qvit ablate --grid " + grid.id()
                    + " --collect");
            return 0;
        }
        Process p = new ProcessBuilder("sbatch", "--parsable", script.toString()).redirectErrorStream(true).start();
        String answer = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("sbatch refused the script: " + answer.lines().reduce((a, b) -> b).orElse(""));
        }
        System.out.println("submitted array job " + answer);
        return 0;
    }

    private int writeTables(AblationGrid grid, ExperimentRun.Teacher teacher, Path tablesOut) throws Exception {
        List<CellResult> cells = grid.results();
        AblationPlan p = grid.plan();
        String recipe = "Teacher %s (%.2f %%); %s; QAT lr %s cosine, batch %d, DGD norm %s; probe %d test images."
                .formatted(p.base().teacher(), 100 * teacher.testAccuracy(), p.describe(), p.training().learningRate(),
                        p.training().batchSize(), p.dgdNorm().name().toLowerCase(Locale.ROOT), p.probeImages());
        List<AblationRow> rows = AblationStatistics.rows(cells, teacher.testAccuracy(), teacher.model().config(),
                p.base().quantization().embeddingBits());
        String md = AblationTable.statisticsMarkdown(rows, teacher.testAccuracy(), recipe) + "\n"
                + AblationTable.blocksMarkdown(cells);
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("results.md", md);
        tables.put("results.csv", AblationTable.rowsCsv(rows));
        tables.put("cells.csv", AblationTable.cellsCsv(cells));
        tables.put("blocks.csv", AblationTable.blocksCsv(cells));
        for (Map.Entry<String, String> t : tables.entrySet()) {
            writeAtomically(grid.dir().resolve(t.getKey()), t.getValue());
        }
        if (tablesOut != null) {
            java.nio.file.Files.createDirectories(tablesOut);
            for (Map.Entry<String, String> t : tables.entrySet()) {
                writeAtomically(tablesOut.resolve(t.getKey()), t.getValue());
            }
        }
        System.out.printf("%d of %d cells finished; tables in %s%s%n%n", cells.size(), grid.cells().size(), grid.dir(),
                out == null ? "" : " and " + out);
        System.out.println(md);
        return 0;
    }

    static void writeAtomically(Path file, String text) throws IOException {
        dev.qvit.model.io.Safetensors.writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
