package dev.qvit.app.cli;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedStudent;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
        QuantizationConfig config = quantization.config();
        DistillationSettings dgd = quantization.distillation();
        TrainingConfig training = new TrainingConfig(epochs, batch, lr, minLr, 0, 0, 0, seed, !noAugment, !noShuffle);
        Path target = qvit.outputs().file(out, "student-" + quantization.variantName() + ".qvit", force);
        VisionTransformer teacher = loadTeacher(teacherFile);
        if (expectedConfig != null && !VitConfig.named(expectedConfig).equals(teacher.config())) {
            throw new IllegalArgumentException("%s is a %s model, not %s".formatted(teacherFile,
                    teacher.config().describe(), VitConfig.named(expectedConfig).describe()));
        }
        FashionMnist.Splits splits = data.load();
        System.out.printf("quantizing %s from %s: %s, %s; %,d train / %,d test images, %s -> %s%n",
                teacher.config().describe(), teacherFile, quantization.describe(), splits.description(),
                splits.train().count(), splits.test().count(), threads.describe(), target);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, config, BatchLoader.firstImages(splits.train(), 128));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("training", training);
        meta.put("distillation", dgd);
        meta.put("teacher", teacherFile.toString());
        meta.put("label", quantization.label());
        CheckpointingListener listener = new CheckpointingListener(epochs, target, "student", student, meta);
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(threads.count(), student, teacher, dgd)) {
            Trainer trainer = QuantizationAwareTraining.trainer(training, workers);
            trainer.run(splits.train(), splits.test(), listener, new RunControl());
        }
        System.out.printf("saved %s (test accuracy %.2f%%)%n", target, 100 * listener.lastTestAccuracy());
        return 0;
    }

    /** Loads a full-precision teacher; refuses students and models of another size than asked for. */
    static VisionTransformer loadTeacher(Path file) throws IOException {
        Checkpoint.Header header = Checkpoint.readHeader(file);
        if (header.quantization() != null) {
            throw new IllegalArgumentException(file + " is a quantized student, not a full-precision teacher");
        }
        return Checkpoint.load(file);
    }

}
