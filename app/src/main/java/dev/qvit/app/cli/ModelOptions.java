package dev.qvit.app.cli;

import dev.qvit.model.vit.VitConfig;
import picocli.CommandLine.Option;

/** Model size: a preset or custom dimensions, validated by {@link VitConfig}. */
public final class ModelOptions {
    @Option(names = "--config", defaultValue = "tiny", description = "Model preset: tiny or small (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--dim", description = "Custom embedding width (overrides the preset).")
    Integer dim;

    @Option(names = "--depth", description = "Custom number of blocks.")
    Integer depth;

    @Option(names = "--heads", description = "Custom number of heads (must divide --dim).")
    Integer heads;

    @Option(names = "--mlp", description = "Custom MLP hidden width.")
    Integer mlp;

    public VitConfig config() {
        VitConfig base = VitConfig.named(preset);
        return new VitConfig(base.imageSize(), base.patchSize(), base.channels(), dim != null ? dim : base.dim(),
                depth != null ? depth : base.depth(), heads != null ? heads : base.numHeads(),
                mlp != null ? mlp : base.mlpDim(), base.numClasses());
    }

    public String name() {
        return dim == null && depth == null && heads == null && mlp == null ? preset : "custom";
    }
}
