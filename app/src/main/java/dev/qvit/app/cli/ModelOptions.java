package dev.qvit.app.cli;

import dev.qvit.model.experiment.ModelPresets;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.model.vit.VitConfig;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Architecture and size: a preset or custom ViT dimensions, validated by {@link VitConfig} / {@link SwinConfig}. */
public final class ModelOptions {
    @Option(names = "--arch", defaultValue = "vit", description = "Architecture: vit (DeiT-style) or swin (Swin "
            + "Transformer, preset tiny only) (default: ${DEFAULT-VALUE}).")
    String architecture;

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

    public ModelConfig config() {
        return switch (architecture.toLowerCase(Locale.ROOT)) {
            case "vit" -> vit();
            case "swin" -> swin();
            default -> throw new IllegalArgumentException("--arch " + architecture + " is not vit or swin");
        };
    }

    /** The ViT size, for what only runs a ViT (the benchmark). */
    public VitConfig vit() {
        if (!architecture.equalsIgnoreCase("vit")) {
            throw new IllegalArgumentException("this command runs the ViT only: leave out --arch " + architecture);
        }
        VitConfig base = VitConfig.named(preset);
        return new VitConfig(base.imageSize(), base.patchSize(), base.channels(), dim != null ? dim : base.dim(),
                depth != null ? depth : base.depth(), heads != null ? heads : base.numHeads(),
                mlp != null ? mlp : base.mlpDim(), base.numClasses());
    }

    private ModelConfig swin() {
        if (!preset.equalsIgnoreCase("tiny") || dim != null || depth != null || heads != null || mlp != null) {
            throw new IllegalArgumentException("the Swin has one preset, tiny: leave out --config, --dim, --depth, "
                    + "--heads and --mlp with --arch swin");
        }
        return ModelPresets.named("swin-tiny");
    }

    /** For file names: tiny, small, custom, swin-tiny. */
    public String name() {
        if (architecture.equalsIgnoreCase("swin")) {
            return config().presetName();
        }
        return dim == null && depth == null && heads == null && mlp == null ? preset : "custom";
    }
}
