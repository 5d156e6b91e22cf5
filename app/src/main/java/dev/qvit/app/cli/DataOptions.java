package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentSpec;
import picocli.CommandLine.Option;

/** Which Fashion-MNIST to use, and optional caps for quick runs, for commands that train. */
public final class DataOptions extends TestDataOptions {
    @Option(names = "--train-limit", description = "Use only the first N training images.")
    Integer trainLimit;

    /** The data of an experiment: the source and its limits (0 = all). */
    public ExperimentSpec.Data spec() {
        return new ExperimentSpec.Data(data, limit(trainLimit, "--train-limit"), limit(testLimit, "--test-limit"));
    }
}
