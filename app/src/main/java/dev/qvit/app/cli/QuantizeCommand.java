package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;


/** {@code qvit quantize}: quantization-aware training of a fully quantized student (method doc 6). */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Train a fully quantized student (LSQ, optional IRM and DGD) from a full-precision teacher.")
public final class QuantizeCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadOptions threads;
    @Mixin
    QuantizationOptions quantization;

    @Option(names = "--teacher", required = true, description = "Full-precision teacher checkpoint (qvit train).")
    Path teacherFile;
    @Option(names = "--epochs", defaultValue = "4", description = "QAT epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr", defaultValue = "2e-4", description = "Peak AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--min-lr", defaultValue = "1e-6", description = "Final cosine learning rate (default: ${DEFAULT-VALUE}).")
    double minLr;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--no-augment", description = "Disable pad-2 random crop and horizontal flip.")
    boolean noAugment;
    @Option(names = "--no-shuffle", description = "Keep the data set's order every epoch (for reference comparisons).")
    boolean noShuffle;
    @Option(names = "--config", description = "Expected model preset of the teacher (tiny or small); refused if the "
            + "teacher is another size.")
    String expectedConfig;
    @Option(names = "--out", description = "Student checkpoint (default: student-<variant>.qvit in ~/qvit/runs).")
    Path out;
    @Option(names = "--force", description = "Write over an existing checkpoint file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        TrainingConfig training = new TrainingConfig(epochs, batch, lr, minLr, 0, 0, 0, seed, !noAugment, !noShuffle);
        VitConfig size = expectedConfig == null ? null : VitConfig.named(expectedConfig);  // null: the teacher's
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT, size,
                data.spec(), teacherFile.toString(), quantization.config(), quantization.distillation(), training)
                .requireValid();
        Path target = qvit.outputs().file(out, "student-" + spec.shortName() + ".qvit", force);
        ExperimentRun run = ExperimentRun.prepare(spec, loadTeacher(teacherFile),
                ModelRun.savingTo(target, threads.count()));
        System.out.printf("quantizing %s from %s: %s, %s; %,d train / %,d test images, %s -> %s%n",
                run.spec().model().describe(), teacherFile, spec.describe(), run.data().description(),
                run.data().train().count(), run.data().test().count(), threads.describe(), target);
        double accuracy = ModelRun.run(run);
        System.out.printf("saved %s (test accuracy %.2f%%)%n", target, 100 * accuracy);
        return 0;
    }

    /**
     * Loads a full-precision teacher with its recorded test accuracy; refuses students and models of another size
     * than asked for.
     */
    static ExperimentRun.Teacher loadTeacher(Path file) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(file);
        if (header.quantization() != null) {
            throw new IllegalArgumentException(file + " is a quantized student, not a full-precision teacher");
        }
        double accuracy = header.metadata() == null ? Double.NaN
                : header.metadata().path("testAccuracy").asDouble(Double.NaN);
        return new ExperimentRun.Teacher(Checkpoint.load(file), accuracy);
    }

}
