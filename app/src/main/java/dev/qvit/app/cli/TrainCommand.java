package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.sessions.Session;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qvit train}: the full-precision teacher (method doc section 6). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a full-precision ViT teacher on Fashion-MNIST and save it as a checkpoint.")
public final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;
    @Mixin
    ModelOptions model;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadOptions threads;
    @Mixin
    SessionOptions sessions;

    @Option(names = "--epochs", defaultValue = "15", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak AdamW learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--min-lr", defaultValue = "1e-5", description = "Final cosine learning rate (default: ${DEFAULT-VALUE}).")
    double minLr;
    @Option(names = "--warmup", defaultValue = "1", description = "Warm-up epochs (default: ${DEFAULT-VALUE}).")
    double warmup;
    @Option(names = "--wd", defaultValue = "0.05", description = "AdamW weight decay on 2-D weights (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--clip", defaultValue = "0", description = "Clip the global gradient norm (0 = off; default: ${DEFAULT-VALUE}).")
    double clip;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of init, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--no-augment", description = "Disable pad-2 random crop and horizontal flip.")
    boolean noAugment;
    @Option(names = "--out", description = "Also export the model as one checkpoint file (with --no-session, default: "
            + "teacher-<config>.qvit in ~/qvit/runs).")
    Path out;
    @Option(names = "--force", description = "Write over an existing checkpoint file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.TEACHER,
                model.config(), data.spec(), null, null, null,
                new TrainingConfig(epochs, batch, lr, minLr, warmup, weightDecay, clip, seed, !noAugment)).requireValid();
        sessions.check();
        Path target = out != null || sessions.none
                ? qvit.outputs().file(out, "teacher-" + model.name() + ".qvit", force) : null;
        Session session = sessions.none ? null
                : sessions.root(qvit.outputs()).create(spec, sessions.id, null, sessions.probeSeconds);
        try {
            System.out.printf("training %s, %,d parameters%n", spec.model().describe(), spec.model().parameterCount());
            double accuracy = ModelRun.start(spec, null, threads.count(), session, sessions, target);
            System.out.printf("test accuracy %.2f%%%s%s%n", 100 * accuracy, target == null ? "" : "; saved " + target,
                    session == null ? "" : "; session " + session.id());
        } finally {
            ModelRun.close(session);
        }
        return 0;
    }
}
