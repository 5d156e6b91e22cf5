package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.assertCloseToLargest;
import static dev.qvit.model.GradientCheck.fillGaussian;
import static dev.qvit.model.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.fused.Kernels;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused layer norm: vector and scalar kernels bit for bit (outputs and all gradients), and both against the ND4J
 * reference path to float32 rounding, on widths with and without a tail and on inputs that are views with an offset
 * (the float64 gradient checks are in LayerNormGradientTest).
 */
class FusedLayerNormTest {

    private record Result(float[] y, float[] dx, float[] dgamma, float[] dbeta) {
    }

    @ParameterizedTest(name = "D = {0}")
    @ValueSource(ints = {64, 96, 8, 37, 16, 5})
    void fusedLayerNormMatchesTheReferencePath(int dim) {
        Result reference = run(Kernels.Path.ND4J, dim, 50);
        Result scalar = run(Kernels.Path.SCALAR, dim, 50);
        Result vector = run(Kernels.Path.VECTOR, dim, 50);
        assertThat(vector.y()).containsExactly(scalar.y());
        assertThat(vector.dx()).containsExactly(scalar.dx());
        assertThat(vector.dgamma()).containsExactly(scalar.dgamma());
        assertThat(vector.dbeta()).containsExactly(scalar.dbeta());
        assertCloseToLargest(vector.y(), reference.y(), 2e-6f);
        assertCloseToLargest(vector.dx(), reference.dx(), 2e-5f);
        assertCloseToLargest(vector.dgamma(), reference.dgamma(), 2e-5f);
        assertCloseToLargest(vector.dbeta(), reference.dbeta(), 2e-5f);
    }

    private static Result run(Kernels.Path path, int dim, int rows) {
        Random random = new Random(dim);
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        LayerNorm norm = new LayerNorm(params, "norm", dim, 1e-6);
        params.allocate();
        norm.useKernels(path);
        fillGaussian(norm.gamma().value(), random, 1.0, 0.5);
        fillGaussian(norm.beta().value(), random, 0.0, 0.5);
        INDArray all = gaussian(random, 0.7, 2.0, 1, rows * dim + 3).castTo(DataType.FLOAT);
        INDArray x = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, rows * dim + 3)).reshape(rows, dim);
        assertThat(x.offset()).isEqualTo(3);
        INDArray dy = gaussian(random, 0.0, 1.0, rows, dim).castTo(DataType.FLOAT);
        float[] y = norm.forward(x).dup().data().asFloat();
        float[] dx = norm.backward(dy).dup().data().asFloat();
        return new Result(y, dx, norm.gamma().grad().dup().data().asFloat(), norm.beta().grad().dup().data().asFloat());
    }
}
