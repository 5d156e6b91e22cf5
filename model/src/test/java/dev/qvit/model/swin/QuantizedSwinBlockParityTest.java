package dev.qvit.model.swin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvit.model.ParityVectors;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A quantized Swin block (4 bits, token IRM; shifted windows with the mask: layers.0.blocks.1 of the parity model)
 * against the PyTorch reference (reference/make_swin_vectors.py, qswin): output, input gradient and every
 * parameter's gradient (weights, biases, bias table, IRM, quantizer steps and zero points), float64.
 */
class QuantizedSwinBlockParityTest {
    private static final SwinConfig PARITY = new SwinConfig(28, 2, 1, 16, List.of(2, 2), List.of(2, 4), 7, 2, 10);
    private final ParityVectors vectors = new ParityVectors("qswin");

    @Test
    void quantizedShiftedBlockMatchesPyTorch() throws Exception {
        JsonNode json;
        try (java.io.InputStream in = getClass().getResourceAsStream("/parity/qswin/quant.json")) {
            json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        ParameterSet params = new ParameterSet(DataType.DOUBLE);
        QuantizationConfig quantization = new QuantizationConfig(json.path("bits").asInt(),
                QuantizationConfig.Rectification.parse(json.path("rectification").asText()), 8);
        SwinBlock block = new SwinBlock(params, json.path("block").asText(), PARITY, 0, 1, quantization);
        params.allocate();
        Checkpoint.loadParameters(params, vectors::bytes, "parity/qswin");
        List<LsqQuantizer> quantizers = new ArrayList<>(block.attention().lsqQuantizers());
        quantizers.addAll(block.mlp().lsqQuantizers());
        List<String> reference = new ArrayList<>();
        for (JsonNode s : json.path("quantizers")) {
            reference.add(s.path("name").asText());
        }
        assertThat(quantizers.stream().map(LsqQuantizer::name).toList()).isEqualTo(reference);
        for (int i = 0; i < quantizers.size(); i++) {
            JsonNode s = json.path("quantizers").get(i);
            quantizers.get(i).restore(s.path("signed").asBoolean(), s.path("gradScale").asDouble());
        }

        INDArray x = vectors.tensor("x", DataType.DOUBLE);                                 // [2, 196, 16]
        INDArray rows = x.reshape(x.size(0) * x.size(1), x.size(2));
        INDArray y = block.forward(rows, (int) x.size(0)).dup();
        INDArray dx = block.backward(vectors.tensor("dy", DataType.DOUBLE).reshape(rows.shape())).dup();

        ParityVectors.assertCloseToScale(floats(y), vectors.array("y_f64").floats(), 1e-9);
        ParityVectors.assertCloseToScale(floats(dx), vectors.array("dx_f64").floats(), 1e-9);
        assertThat(params.parameters()).hasSize(37);                                       // as PyTorch's named_parameters
        for (Parameter p : params.parameters()) {
            ParityVectors.assertCloseToScale(floats(p.grad()), vectors.array("grad_f64." + p.name()).floats(), 1e-8);
        }
    }

    private static float[] floats(INDArray a) {
        return a.dup().castTo(DataType.FLOAT).data().asFloat();
    }
}
