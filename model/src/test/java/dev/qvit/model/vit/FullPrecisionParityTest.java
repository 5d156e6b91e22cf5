package dev.qvit.model.vit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.ParityVectors;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import dev.qvit.records.LayerProbe;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The Java ViT against the PyTorch reference (reference/make_fp_vectors.py) on 4 Fashion-MNIST images. */
class FullPrecisionParityTest {
    private static final VitConfig PARITY = new VitConfig(28, 4, 1, 32, 2, 2, 64, 10);
    private final ParityVectors vectors = new ParityVectors("fp");

    @Test
    void float32LogitsLossAndGradientsMatchPyTorch() throws Exception {
        check(DataType.FLOAT, "", 1e-4);
    }

    @Test
    void float64GradientsMatchPyTorchTightly() throws Exception {
        check(DataType.DOUBLE, "_f64", 1e-9);
    }

    @Test
    void probesReturnTheReferenceQueriesKeysAndAttention() throws Exception {
        VisionTransformer model = loaded(DataType.FLOAT);
        List<LayerProbe> probes = model.probes(model.trace(vectors.tensor("input", DataType.FLOAT), true), 4);
        assertThat(probes).hasSize(2);
        for (LayerProbe p : probes) {
            assertClose(p.query(), vectors.array("probe." + p.layer() + ".q").floats(), 1e-4);
            assertClose(p.key(), vectors.array("probe." + p.layer() + ".k").floats(), 1e-4);
            assertClose(p.attention(), vectors.array("probe." + p.layer() + ".attn").floats(), 1e-4);
        }
    }

    private void check(DataType type, String suffix, double tolerance) throws Exception {
        VisionTransformer model = loaded(type);
        CrossEntropy ce = new CrossEntropy(new Buffers(type));
        INDArray logits = model.forward(vectors.tensor("input", type));
        double loss = ce.forward(logits, ce.oneHot(vectors.ints("labels"), 10));
        model.backward(ce.backward());

        assertClose(toFloats(logits), vectors.array("logits" + suffix).floats(), tolerance);
        assertThat(loss).isCloseTo(vectors.array("loss" + suffix).values()[0], org.assertj.core.data.Offset.offset(tolerance));
        for (Parameter p : model.parameters().parameters()) {
            float[] expected = vectors.array((suffix.isEmpty() ? "grad." : "grad_f64.") + p.name()).floats();
            assertClose(toFloats(p.grad()), expected, tolerance * 10);
        }
    }

    private VisionTransformer loaded(DataType type) throws Exception {
        VisionTransformer model = new VisionTransformer(PARITY, type);
        vectors.loadParameters(model.parameters(), "");
        return model;
    }

    private static float[] toFloats(INDArray a) {
        return a.dup().castTo(DataType.FLOAT).data().asFloat();
    }

    private static void assertClose(float[] actual, float[] expected, double tol) {
        ParityVectors.assertCloseToScale(actual, expected, tol);
    }
}
