package dev.qvit.app.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.AblationRunner;
import dev.qvit.model.experiment.AblationTable;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.Variant;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.train.DistillationSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code qvit ablate}: the bits x variants x seeds grid from one teacher, each finished cell saved at once so an
 * interrupted run resumes where it stopped; results as CSV and markdown.
 */
@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = "Run the IRM/DGD ablation grid and write results.csv, blocks.csv and results.md.")
public final class AblateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    @ParentCommand
    QvitCommand qvit;
    @Spec
    CommandSpec spec;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadOptions threads;

    @Option(names = "--teacher", required = true, description = "Full-precision teacher checkpoint.")
    Path teacherFile;
    @Option(names = "--bits", defaultValue = "4,2", split = ",", description = "Bit widths (default: ${DEFAULT-VALUE}).")
    List<Integer> bits;
    @Option(names = "--variants", defaultValue = "base,irm,dgd,irm+dgd", split = ",",
            description = "Variants (default: ${DEFAULT-VALUE}).")
    List<String> variants;
    @Option(names = "--seeds", defaultValue = "0,1", split = ",", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;
    @Option(names = "--irm-form", defaultValue = "distribution", description = "IRM form of the irm variants: "
            + "distribution (the paper) or token (the official code; default: ${DEFAULT-VALUE}).")
    String irmForm;
    @Option(names = "--lambda", defaultValue = "0.1", description = "DGD weight (default: ${DEFAULT-VALUE}).")
    double lambda;
    @Option(names = "--dgd-norm", defaultValue = "head", description = "head or layer (default: ${DEFAULT-VALUE}).")
    String dgdNorm;
    @Option(names = "--epochs", defaultValue = "4", description = "QAT epochs per cell (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--lr", defaultValue = "2e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--probe-images", defaultValue = "256", description = "Test images for the q/k statistics (default: ${DEFAULT-VALUE}).")
    int probeImages;
    @Option(names = "--save-students", description = "Also keep each cell's student as students/<cell>.qvit (for fig1).")
    boolean saveStudents;
    @Option(names = "--out", description = "Output folder (default: ablation in ~/qvit/runs); an earlier run of the "
            + "same grid there is resumed.")
    Path out;
    @Option(names = "--force", description = "Write over the tables and cells of another run in --out.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ExperimentSpec base = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT,
                null, data.spec(), teacherFile.toString(),
                QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE),
                DistillationSettings.of(false, lambda, DistributionGuidedDistillation.Norm.parse(dgdNorm)),
                ExperimentSpec.qatRecipe(epochs, lr, 0).withBatchSize(batch));
        AblationPlan plan = new AblationPlan(base, bits, variants.stream().map(Variant::parse).toList(), seeds,
                QuantizationConfig.Rectification.parse(irmForm), probeImages);
        requireUsed(plan);
        AblationFolder.Resume folder = AblationFolder.open(qvit.outputs(), out, plan, force);
        out = folder.dir();
        ExperimentRun.Teacher teacher = QuantizeCommand.loadTeacher(teacherFile);
        double teacherAccuracy = teacher.testAccuracy();
        FashionMnist.Splits splits = ExperimentRun.loadData(base.data());
        Path cellsDir = out.resolve("cells");
        Files.createDirectories(cellsDir);
        List<CellResult> done = new ArrayList<>(folder.done());
        List<AblationPlan.Cell> todo = AblationTable.missing(plan, done);
        String recipe = "Teacher %s; %s, %,d train / %,d test images; QAT %d epochs, lr %s cosine, batch %d; IRM form %s, "
                + "lambda %s (%s); probe %d test images.";
        recipe = recipe.formatted(teacherFile, splits.description(), splits.train().count(), splits.test().count(), epochs,
                lr, batch, irmForm, lambda, dgdNorm, probeImages);
        int cells = plan.cells().size();
        System.out.printf("ablation: %d cells (%d done, %d to run) -> %s%n", cells, cells - todo.size(), todo.size(), out);
        AblationRunner runner = new AblationRunner(teacher, splits, plan, threads.count());
        for (AblationPlan.Cell todoCell : todo) {
            String key = todoCell.key();
            System.out.printf("== cell %s%n", key);
            ProgressPrinter progress = new ProgressPrinter(System.out, epochs);
            AblationRunner.TrainedCell cell = runner.run(todoCell, e -> e.dispatch(progress));
            CellResult result = cell.result();
            if (saveStudents) {
                saveStudent(key, cell, recipe);
            }
            writeAtomically(cellsDir.resolve(key + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            done.add(result);
            writeTables(done, teacherAccuracy, recipe);
            System.out.printf("   %s: test accuracy %.2f%%, L_DGD %.3f, %.0f s, peak resident memory %.2f GB%n", key,
                    100 * result.testAccuracy(), result.distillation(), result.seconds(), cell.peakResidentBytes() / 1e9);
        }
        writeTables(done, teacherAccuracy, recipe);
        System.out.println(Files.readString(out.resolve("results.md")));
        return 0;
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

    private void saveStudent(String key, AblationRunner.TrainedCell cell, String recipe) throws IOException {
        Path file = out.resolve("students").resolve(key + ".qvit");
        Files.createDirectories(file.getParent());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("teacher", teacherFile.toString());
        meta.put("ablationCell", key);
        meta.put("recipe", recipe);
        meta.put("testAccuracy", cell.result().testAccuracy());
        meta.put("epochs", cell.result().epochs());
        Checkpoint.save(file, "student", cell.student(), meta);
    }

    private void writeTables(List<CellResult> cells, double teacherAccuracy, String recipe) throws IOException {
        List<CellResult> ordered = new ArrayList<>(cells);
        writeAtomically(out.resolve("results.csv"), AblationTable.cellsCsv(ordered));
        writeAtomically(out.resolve("blocks.csv"), AblationTable.blocksCsv(ordered));
        writeAtomically(out.resolve("results.md"), AblationTable.markdown(ordered, teacherAccuracy, recipe));
    }

    static List<CellResult> readCells(Path dir) throws IOException {
        List<CellResult> cells = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    cells.add(JSON.readValue(f.toFile(), CellResult.class));
                } catch (IOException e) {
                    System.err.println("qvit: ignoring unreadable cell " + f + " (" + e.getMessage() + "); it will run again");
                }
            }
        }
        return cells;
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

}
