package dev.qvit.model.vit;

import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Gelu;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.QuantizationConfig;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The block's feed-forward network, FC2(GELU(FC1(x))). Training thread only. */
public final class Mlp {
    /** Inside quantized MLPs the GELU output is clamped to [-10, 10] before fc2 (method doc section 3). */
    static final double QUANTIZED_GELU_CLIP = 10.0;
    private final DenseLayer fc1;
    private final Gelu gelu;
    private final DenseLayer fc2;

    public Mlp(ParameterSet params, String name, int dim, int hidden) {
        this(params, name, dim, hidden, null);
    }

    public Mlp(ParameterSet params, String name, int dim, int hidden, QuantizationConfig quant) {
        this.fc1 = QuantizationConfig.dense(quant, params, name + ".fc1", dim, hidden);
        this.gelu = quant == null ? new Gelu(params.buffers(), Double.NaN) : new Gelu(params.buffers(), QUANTIZED_GELU_CLIP);
        this.fc2 = QuantizationConfig.dense(quant, params, name + ".fc2", hidden, dim);
    }

    public void init(Random random) {
        for (DenseLayer layer : new DenseLayer[] {fc1, fc2}) {
            if (layer instanceof Linear linear) {
                linear.initTransformer(random);
            }
        }
    }

    /** x [T, D] -> [T, D] (training mode). */
    public INDArray forward(INDArray x) {
        return forward(x, true);
    }

    public INDArray forward(INDArray x, boolean training) {
        return fc2.forward(gelu.forward(fc1.forward(x, training)), training);
    }

    public INDArray backward(INDArray dy) {
        return fc1.backward(gelu.backward(fc2.backward(dy)));
    }

    /** fc1's and fc2's LSQ quantizers in forward order (none in full precision). */
    public java.util.List<dev.qvit.model.quant.LsqQuantizer> lsqQuantizers() {
        java.util.List<dev.qvit.model.quant.LsqQuantizer> out =
                new java.util.ArrayList<>(dev.qvit.model.quant.QuantizedLinear.quantizersOf(fc1));
        out.addAll(dev.qvit.model.quant.QuantizedLinear.quantizersOf(fc2));
        return out;
    }

    public DenseLayer fc1() {
        return fc1;
    }

    public DenseLayer fc2() {
        return fc2;
    }
}
