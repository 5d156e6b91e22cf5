package dev.qvit.app.cli;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import picocli.CommandLine.Option;

/** Which Fashion-MNIST to use and an optional cap on the test images, for commands that only evaluate. */
public class TestDataOptions {
    @Option(names = "--data", defaultValue = "auto", description = "auto (full set when installed, else bundled), "
            + "bundled (10%% subset shipped with the workbench), full (apt-get install dataset-fashion-mnist) or a "
            + "folder with the IDX files (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--test-limit", description = "Use only the first N test images.")
    Integer testLimit;

    /** The test split alone: evaluation reads no training images (a folder needs only the t10k files). */
    public FashionMnist.TestSet loadTest() {
        return ExperimentRun.loadTestData(new ExperimentSpec.Data(data, 0, limit(testLimit, "--test-limit")));
    }

    /** A limit option: absent = 0 (all), else at least 1. */
    static int limit(Integer limit, String option) {
        if (limit == null) {
            return 0;
        }
        if (limit < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + limit);
        }
        return limit;
    }
}
