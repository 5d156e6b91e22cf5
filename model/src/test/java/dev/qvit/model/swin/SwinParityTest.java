package dev.qvit.model.swin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.ParityVectors;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.vit.AttentionTrace;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Java Swin against the PyTorch reference written after timm's definition (reference/make_swin_vectors.py)
 * on 2 Fashion-MNIST images: stage 0 with 4 windows per image and a shifted, masked second block; stage 1 one window.
 */
class SwinParityTest {
    private static final SwinConfig PARITY = new SwinConfig(28, 2, 1, 16, List.of(2, 2), List.of(2, 4), 7, 2, 10);
    private final ParityVectors vectors = new ParityVectors("swin");

    @Test
    void float32LogitsLossAndGradientsMatchPyTorch() throws Exception {
        check(DataType.FLOAT, "", 1e-4);
    }

    @Test
    void float64GradientsMatchPyTorchTightly() throws Exception {
        check(DataType.DOUBLE, "_f64", 1e-9);
    }

    @Test
    void queriesKeysAndAttentionPerWindowMatchPyTorch() throws Exception {
        SwinTransformer model = loaded(DataType.FLOAT);
        List<AttentionTrace> traces = model.trace(vectors.tensor("input", DataType.FLOAT), true).attention();
        assertThat(traces).hasSize(4);
        for (int b = 0; b < traces.size(); b++) {
            AttentionTrace t = traces.get(b);
            assertClose(floats(t.query()), vectors.array("probe." + b + ".q").floats(), 1e-4);
            assertClose(floats(t.key()), vectors.array("probe." + b + ".k").floats(), 1e-4);
            assertClose(floats(t.attention()), vectors.array("probe." + b + ".attn").floats(), 1e-4);
        }
        assertThat(traces.get(0).query().shape()).containsExactly(2 * 4, 2, 49, 8);      // images x windows
        assertThat(traces.get(2).query().shape()).containsExactly(2, 4, 49, 8);
    }

    private void check(DataType type, String suffix, double tolerance) throws Exception {
        SwinTransformer model = loaded(type);
        CrossEntropy ce = new CrossEntropy(new Buffers(type));
        INDArray logits = model.forward(vectors.tensor("input", type));
        double loss = ce.forward(logits, ce.oneHot(vectors.ints("labels"), 10));
        model.backward(ce.backward());
        assertClose(floats(logits), vectors.array("logits" + suffix).floats(), tolerance);
        assertThat(loss).isCloseTo(vectors.array("loss" + suffix).values()[0], Offset.offset(tolerance));
        for (Parameter p : model.parameters().parameters()) {
            float[] expected = vectors.array((suffix.isEmpty() ? "grad." : "grad_f64.") + p.name()).floats();
            assertClose(floats(p.grad()), expected, tolerance * 10);
        }
    }

    private SwinTransformer loaded(DataType type) throws Exception {
        SwinTransformer model = new SwinTransformer(PARITY, type);
        vectors.loadParameters(model.parameters(), "");
        return model;
    }

    private static float[] floats(INDArray a) {
        return a.dup().castTo(DataType.FLOAT).data().asFloat();
    }

    private static void assertClose(float[] actual, float[] expected, double tol) {
        ParityVectors.assertCloseToScale(actual, expected, tol);
    }
}
