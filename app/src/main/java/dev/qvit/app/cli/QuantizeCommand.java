package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.sessions.Session;
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
    @Mixin
    SessionOptions sessions;

    @Option(names = "--teacher", required = true, description = "Full-precision teacher checkpoint (qvit train), or "
            + "'bundled' (the tiny teacher shipped with the workbench).")
    String teacherFile;
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
    @Option(names = "--out", description = "Also export the student as one checkpoint file (with --no-session, default: "
            + "student-<variant>.qvit in ~/qvit/runs).")
    Path out;
    @Option(names = "--force", description = "Write over an existing checkpoint file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        TrainingConfig training = new TrainingConfig(epochs, batch, lr, minLr, 0, 0, 0, seed, !noAugment, !noShuffle);
        VitConfig size = expectedConfig == null ? null : VitConfig.named(expectedConfig);  // null: the teacher's
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT, size,
                data.spec(), teacherReference(), quantization.config(), quantization.distillation(), training)
                .requireValid();
        sessions.check();
        Path target = out != null || sessions.none
                ? qvit.outputs().file(out, "student-" + spec.shortName() + ".qvit", force) : null;
        ExperimentRun.Teacher teacher = Teachers.load(spec.teacher());
        Session session = sessions.none ? null
                : sessions.root(qvit.outputs()).create(spec, sessions.id, null, sessions.probeSeconds);
        try {
            System.out.printf("quantizing from %s%n", teacherFile);
            double accuracy = ModelRun.start(spec, teacher, threads.count(), session, sessions, target);
            System.out.printf("test accuracy %.2f%%%s%s%n", 100 * accuracy, target == null ? "" : "; saved " + target,
                    session == null ? "" : "; session " + session.id());
        } finally {
            ModelRun.close(session);
        }
        return 0;
    }

    /** "bundled", or the checkpoint's absolute path, as the spec records it. */
    private String teacherReference() {
        return teacherFile.equals(ExperimentSpec.BUNDLED_TEACHER) ? teacherFile
                : Path.of(teacherFile).toAbsolutePath().normalize().toString();
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
