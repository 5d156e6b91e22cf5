package dev.qvit.model.quant;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear layer with LSQ fake quantization of its weight (per output channel) and of its input (per input
 * feature, with zero point): y = Q_a(x) Q_w(W)^T + b, the bias and the accumulation in float
 * (method doc section 3). The input quantizer is optional for layers whose input is already quantized.
 * Training thread only.
 */
public final class QuantizedLinear implements DenseLayer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private final LsqQuantizer inputQuantizer;
    private final LsqQuantizer weightQuantizer;
    private final Buffers buffers;
    private INDArray quantizedInput;
    private INDArray quantizedWeight;

    public QuantizedLinear(ParameterSet params, String name, int inFeatures, int outFeatures, int bits,
                           boolean quantizeInput) {
        this(params, name, inFeatures, outFeatures, bits, quantizeInput, true);
    }

    public QuantizedLinear(ParameterSet params, String name, int inFeatures, int outFeatures, int bits,
                           boolean quantizeInput, boolean hasBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = params.declare(name + ".weight", true, outFeatures, inFeatures);
        this.bias = hasBias ? params.declare(name + ".bias", false, outFeatures) : null;
        this.inputQuantizer = quantizeInput
                ? LsqQuantizer.forActivation(params, name + ".input_quant", bits, inFeatures, 1) : null;
        this.weightQuantizer = LsqQuantizer.forWeight(params, name + ".weight_quant", bits, outFeatures);
        this.buffers = params.buffers();
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        quantizedInput = inputQuantizer == null ? x : inputQuantizer.forward(x, training);   // [T, in]
        quantizedWeight = weightQuantizer.forward(weight.value(), training);                  // [out, in]
        INDArray y = buffers.get("y", x.rows(), outFeatures);
        Tensors.gemm(quantizedInput, quantizedWeight, y, false, true, 0.0);
        return bias == null ? y : Tensors.addRow(y, bias.value(), y);
    }

    @Override
    public INDArray backward(INDArray dy) {
        backwardParametersOnly(dy);
        INDArray dx = buffers.get("dx", dy.rows(), inFeatures);
        Tensors.gemm(dy, quantizedWeight, dx, false, false, 0.0);                            // dL/dQ_a(x)
        return inputQuantizer == null ? dx : inputQuantizer.backward(dx);
    }

    @Override
    public void backwardParametersOnly(INDArray dy) {
        INDArray dWq = buffers.get("dwq", outFeatures, inFeatures);
        Tensors.gemm(dy, quantizedInput, dWq, true, false, 0.0);                             // dL/dQ_w(W)
        weight.grad().assign(weightQuantizer.backward(dWq));
        if (bias != null) {
            Tensors.sumOverRows(dy, buffers.constant("ones", 1.0, 1, dy.rows()), bias.grad());
        }
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    /** The input and weight quantizers of {@code layer}, in that order (none for a full-precision layer). */
    public static java.util.List<LsqQuantizer> quantizersOf(DenseLayer layer) {
        if (!(layer instanceof QuantizedLinear q)) {
            return java.util.List.of();
        }
        return q.inputQuantizer == null ? java.util.List.of(q.weightQuantizer)
                : java.util.List.of(q.inputQuantizer, q.weightQuantizer);
    }

    public LsqQuantizer inputQuantizer() {
        return inputQuantizer;
    }

    public LsqQuantizer weightQuantizer() {
        return weightQuantizer;
    }
}
