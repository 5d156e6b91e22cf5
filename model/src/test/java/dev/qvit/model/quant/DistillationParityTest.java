package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.ParityVectors;
import dev.qvit.model.nn.Buffers;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distribution-guided distillation against the PyTorch reference (reference/vit_reference.py dgd_loss and
 * dgd_loss_layer, vectors in parity/dgd computed in float64 from float32 student / teacher tensors [2, 2, 50, 16]):
 * head normalisation (per image and head G = q q^T / (||q q^T||_F + 1e-12), mean over images of
 * ||G_T - G_S||_F, summed over heads) and the BiBERT layer form; loss, per-head terms and the gradient with
 * respect to the student tensor, scaled by the weight.
 */
class DistillationParityTest {
    private static final Map<String, Agreement> SUMMARY = new TreeMap<>();
    private final ParityVectors vectors = new ParityVectors("dgd");

    @AfterAll
    static void printSummary() {
        SUMMARY.values().forEach(Agreement::print);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void headNormalisationMatchesPyTorch(DataType type) throws Exception {
        double tol = type == DataType.DOUBLE ? 1e-10 : 1e-4;
        Agreement a = SUMMARY.computeIfAbsent("DGD head " + type, Agreement::new);
        INDArray student = vectors.tensor("student.q", type);
        INDArray teacher = vectors.tensor("teacher.q", type);
        DistributionGuidedDistillation dgd =
                new DistributionGuidedDistillation(DistributionGuidedDistillation.Norm.HEAD, new Buffers(type));
        for (double weight : new double[] {1.0, 0.1}) {
            INDArray gradient = Nd4j.create(type, student.shape());
            DistributionGuidedDistillation.Term term = dgd.compute("q0", student, teacher, weight, gradient);
            a.check("loss", "total", new double[] {term.total()}, vectors.array("loss").values(), tol);
            a.check("loss per head", "perHead", term.perHead(), vectors.array("loss_per_head").values(), tol);
            a.check("dL/dstudent", "gradient (weight " + weight + ")", gradient.div(weight),
                    vectors.array("grad.q"), tol);
        }
        // without a gradient buffer: the same loss, nothing else
        assertThat(dgd.compute("q0", student, teacher, 1.0, null).total())
                .isCloseTo(vectors.array("loss").values()[0], org.assertj.core.data.Offset.offset(tol));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void layerNormalisationMatchesPyTorch(DataType type) throws Exception {
        double tol = type == DataType.DOUBLE ? 1e-10 : 1e-4;
        Agreement a = SUMMARY.computeIfAbsent("DGD layer " + type, Agreement::new);
        INDArray student = vectors.tensor("student.q", type);
        INDArray teacher = vectors.tensor("teacher.q", type);
        DistributionGuidedDistillation dgd =
                new DistributionGuidedDistillation(DistributionGuidedDistillation.Norm.LAYER, new Buffers(type));
        INDArray gradient = Nd4j.create(type, student.shape());
        DistributionGuidedDistillation.Term term = dgd.compute("k1", student, teacher, 0.5, gradient);
        a.check("loss", "total", new double[] {term.total()}, vectors.array("loss_layer").values(), tol);
        // the per-head curves keep the head normalisation in the layer form
        a.check("loss per head", "perHead", term.perHead(), vectors.array("loss_per_head").values(), tol);
        a.check("dL/dstudent", "gradient (weight 0.5)", gradient.div(0.5), vectors.array("grad_layer.q"), tol);
    }
    /**
     * The plain-array G the probes record gives PyTorch's per-head loss: mean over images of ||G_T - G_S||_F for
     * each head, and G of a head has unit Frobenius norm and is symmetric.
     */
    @org.junit.jupiter.api.Test
    void plainSimilarityMatchesThePerHeadLossOfPyTorch() throws Exception {
        INDArray student = vectors.tensor("student.q", DataType.FLOAT);                 // [B, H, N, d]
        INDArray teacher = vectors.tensor("teacher.q", DataType.FLOAT);
        int b = (int) student.size(0);
        int h = (int) student.size(1);
        int n = (int) student.size(2);
        int d = (int) student.size(3);
        float[] s = student.dup('c').data().asFloat();
        float[] t = teacher.dup('c').data().asFloat();
        double[] perHead = new double[h];
        for (int image = 0; image < b; image++) {
            float[] gs = DistributionGuidedDistillation.similarity(s, image, h, n, d);     // [H, N, N]
            float[] gt = DistributionGuidedDistillation.similarity(t, image, h, n, d);
            for (int head = 0; head < h; head++) {
                double squares = 0;
                double norm = 0;
                for (int k = head * n * n; k < (head + 1) * n * n; k++) {
                    squares += (gs[k] - gt[k]) * (double) (gs[k] - gt[k]);
                    norm += gs[k] * (double) gs[k];
                }
                perHead[head] += Math.sqrt(squares) / b;
                assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                int i = 3;
                int j = 17;
                assertThat(gs[head * n * n + i * n + j]).isEqualTo(gs[head * n * n + j * n + i]);
            }
        }
        assertThat(perHead).containsExactly(vectors.array("loss_per_head").values(),
                org.assertj.core.data.Offset.offset(1e-5));
    }
}
