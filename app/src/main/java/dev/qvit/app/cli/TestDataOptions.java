package dev.qvit.app.cli;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
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
        FashionMnist.TestSet set = FashionMnist.test(data);
        return new FashionMnist.TestSet(limited(set.images(), testLimit, "--test-limit"), set.description());
    }

    static ImageDataset limited(ImageDataset images, Integer limit, String option) {
        if (limit == null) {
            return images;
        }
        if (limit < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + limit);
        }
        return images.head(limit);
    }
}
