package dev.qvit.model.vit;

import dev.qvit.model.quant.QuantizationConfig;
import org.nd4j.linalg.api.buffer.DataType;

/** The size of one of the workbench's architectures ({@link VitConfig}, the Swin Transformer's SwinConfig). */
public interface ModelConfig {
    /** "vit" or "swin": the name an experiment's JSON gives the architecture. */
    String architecture();

    /** A preset's name ("tiny", "small", "swin-tiny"), else "custom" or "swin-custom". */
    String presetName();

    /** Short human-readable description of the size. */
    String describe();

    long parameterCount();

    int imageSize();

    int channels();

    int numClasses();

    /** A full-precision model of this size, its weights drawn from {@code seed}. */
    Backbone create(long seed);

    /** A model of this size whose parameters are still to be set (a checkpoint's, a teacher's). */
    Backbone empty(DataType dataType, QuantizationConfig quantization);
}
