package dev.qvit.model.experiment;

import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.model.vit.VitConfig;
import java.util.List;

/** The model sizes the workbench offers by name, both architectures: what the window's size box lists. */
public final class ModelPresets {
    /** The ViT's presets, then the Swin's, as {@link ModelConfig#presetName()} names them. */
    public static final List<String> NAMES = List.of("tiny", "small", "swin-tiny");

    private ModelPresets() {
    }

    /** @throws IllegalArgumentException for a name not in {@link #NAMES} */
    public static ModelConfig named(String name) {
        return name.equals("swin-tiny") ? SwinConfig.tiny() : VitConfig.named(name);
    }
}
