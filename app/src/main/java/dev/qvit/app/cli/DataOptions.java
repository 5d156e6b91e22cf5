package dev.qvit.app.cli;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import picocli.CommandLine.Option;

/** Which Fashion-MNIST to use, and optional caps for quick runs. */
public final class DataOptions {
    @Option(names = "--data", defaultValue = "auto", description = "auto (full set when installed, else bundled), "
            + "bundled (10%% subset shipped with the workbench), full (apt-get install dataset-fashion-mnist) or a "
            + "folder with the IDX files (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--train-limit", description = "Use only the first N training images.")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "Use only the first N test images.")
    Integer testLimit;

    public FashionMnist.Splits load() {
        FashionMnist.Splits splits = FashionMnist.load(data);
        ImageDataset train = trainLimit != null ? splits.train().head(positive(trainLimit, "--train-limit")) : splits.train();
        ImageDataset test = testLimit != null ? splits.test().head(positive(testLimit, "--test-limit")) : splits.test();
        return new FashionMnist.Splits(train, test, splits.description());
    }

    private static int positive(int n, String option) {
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + n);
        }
        return n;
    }
}
