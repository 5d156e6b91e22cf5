package dev.qvit.app.cli;

import dev.qvit.model.data.FashionMnist;
import picocli.CommandLine.Option;

/** Which Fashion-MNIST to use, and optional caps for quick runs, for commands that train. */
public final class DataOptions extends TestDataOptions {
    @Option(names = "--train-limit", description = "Use only the first N training images.")
    Integer trainLimit;

    public FashionMnist.Splits load() {
        FashionMnist.Splits splits = FashionMnist.load(data);
        return new FashionMnist.Splits(limited(splits.train(), trainLimit, "--train-limit"),
                limited(splits.test(), testLimit, "--test-limit"), splits.description());
    }
}
