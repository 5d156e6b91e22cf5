package dev.qvit.model.quant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qvit.model.ParityVectors;
import dev.qvit.model.nn.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LsqQuantizer against the PyTorch reference's explicit-STE LSQ (reference/vit_reference.py LsqFunction,
 * vectors in parity/lsq from reference/make_quant_vectors.py): forward, input, step and zero-point gradients at
 * 2 and 4 bits, weights and signed / unsigned activations with per-channel steps and zero points, and a case
 * whose v = x/s + round(z) are exact half-integers (round half to even). Float32 against the float32 reference,
 * float64 against the float64 one.
 */
class LsqParityTest {
    private static final Map<String, Agreement> SUMMARY = new TreeMap<>();
    private final ParityVectors vectors = new ParityVectors("lsq");

    @AfterAll
    static void printSummary() {
        SUMMARY.values().forEach(Agreement::print);
    }

    static List<Arguments> cases() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Agreement.json("/parity/lsq/cases.json").path("cases")) {
            out.add(Arguments.of(c.path("name").asText(), DataType.FLOAT));
            out.add(Arguments.of(c.path("name").asText(), DataType.DOUBLE));
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardAndStraightThroughGradientsMatchPyTorch(String name, DataType type) throws Exception {
        JsonNode c = null;
        for (JsonNode candidate : Agreement.json("/parity/lsq/cases.json").path("cases")) {
            if (candidate.path("name").asText().equals(name)) {
                c = candidate;
            }
        }
        boolean weight = c.path("kind").asText().equals("weight");
        int bits = c.path("bits").asInt();
        int axis = c.path("axis").asInt();
        INDArray x = vectors.tensor(name + ".x", type);
        int channels = (int) x.size(axis);
        ParameterSet params = new ParameterSet(type);
        LsqQuantizer q = weight ? LsqQuantizer.forWeight(params, name, bits, channels)
                : LsqQuantizer.forActivation(params, name, bits, channels, axis);
        params.allocate();
        q.restore(c.path("signed").asBoolean(), c.path("gradScale").asDouble());
        q.step().value().assign(vectors.tensor(name + ".step", type));
        if (!weight) {
            q.zeroPoint().value().assign(vectors.tensor(name + ".zero_point", type));
        }

        INDArray out = q.forward(x, true).dup();
        INDArray dx = q.backward(vectors.tensor(name + ".u", type)).dup();

        String suffix = type == DataType.DOUBLE ? "_f64" : "";
        double tol = type == DataType.DOUBLE ? 1e-12 : 1e-4;
        Agreement a = SUMMARY.computeIfAbsent("LSQ " + type + " (" + (weight ? "weights" : "activations") + ")",
                Agreement::new);
        a.check("output", name + " out", out, vectors.array(name + ".out" + suffix), tol);
        a.check("dL/dx", name + " dx", dx, vectors.array(name + ".dx" + suffix), tol);
        a.check("dL/ds", name + " dstep", q.step().grad(), vectors.array(name + ".dstep" + suffix), tol);
        if (!weight) {
            a.check("dL/dz", name + " dzero_point", q.zeroPoint().grad(), vectors.array(name + ".dzero_point" + suffix), tol);
        }
    }
}
