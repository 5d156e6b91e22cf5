package dev.qvit.model.quant;

import static dev.qvit.model.GradientCheck.assertCloseToLargest;
import static dev.qvit.model.GradientCheck.fillGaussian;
import static dev.qvit.model.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.fused.Kernels;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * IRM's fused distribution form: vector and scalar kernels bit for bit (training output, every gradient, the running
 * statistics and the evaluation output after them), and both against the ND4J reference path to float32 rounding, on
 * blocks with and without a vector tail and on inputs that are views at an offset (the float64 gradient check is in
 * RectificationAndDistillationGradientTest).
 */
class FusedRectificationTest {

    private record Result(float[] y, float[] dx, float[] dgamma, float[] dbeta, float[] runningMean,
            float[] runningVariance, float[] evaluated) {
    }

    @ParameterizedTest(name = "images {0}, heads {1}, N {2}, d {3}")
    @CsvSource({"4, 4, 50, 16", "3, 2, 17, 5", "2, 3, 9, 48", "1, 1, 3, 3"})
    void fusedRectificationMatchesTheReferencePath(int images, int heads, int n, int d) {
        long[] shape = {images, heads, n, d};
        Result reference = run(Kernels.Path.ND4J, shape);
        Result scalar = run(Kernels.Path.SCALAR, shape);
        Result vector = run(Kernels.Path.VECTOR, shape);
        assertThat(vector.y()).containsExactly(scalar.y());
        assertThat(vector.dx()).containsExactly(scalar.dx());
        assertThat(vector.dgamma()).containsExactly(scalar.dgamma());
        assertThat(vector.dbeta()).containsExactly(scalar.dbeta());
        assertThat(vector.runningMean()).containsExactly(scalar.runningMean());
        assertThat(vector.runningVariance()).containsExactly(scalar.runningVariance());
        assertThat(vector.evaluated()).containsExactly(scalar.evaluated());
        assertCloseToLargest(vector.y(), reference.y(), 2e-6f);
        assertCloseToLargest(vector.dx(), reference.dx(), 2e-5f);
        assertCloseToLargest(vector.dgamma(), reference.dgamma(), 2e-5f);
        assertCloseToLargest(vector.dbeta(), reference.dbeta(), 2e-5f);
        assertCloseToLargest(vector.runningMean(), reference.runningMean(), 2e-6f);
        assertCloseToLargest(vector.runningVariance(), reference.runningVariance(), 2e-6f);
        assertCloseToLargest(vector.evaluated(), reference.evaluated(), 2e-6f);
    }

    private static Result run(Kernels.Path path, long[] shape) {
        Random random = new Random(shape[0] * 100 + shape[2]);
        int heads = (int) shape[1];
        ParameterSet params = new ParameterSet(DataType.FLOAT);
        DistributionRectification irm = new DistributionRectification(params, "norm_q", heads);
        params.allocate();
        irm.useKernels(path);
        double[] mu = new double[heads];
        double[] sigma = new double[heads];
        for (int h = 0; h < heads; h++) {
            mu[h] = 0.3 + 0.2 * h;                           // near the data's mean, as a running mean is
            sigma[h] = 1.5;
        }
        irm.initIdentity(mu, sigma);
        fillGaussian(irm.gamma().value(), random, 1.0, 0.4);
        fillGaussian(irm.beta().value(), random, 0.0, 0.4);
        long count = shape[0] * shape[1] * shape[2] * shape[3];
        INDArray all = gaussian(random, 0.5, 1.7, 1, count + 5).castTo(DataType.FLOAT);
        INDArray x = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(5, count + 5)).reshape(shape);
        assertThat(x.offset()).isEqualTo(5);
        INDArray dy = gaussian(random, 0.0, 1.0, shape).castTo(DataType.FLOAT);
        float[] y = floats(irm.forward(x, true));
        float[] dx = floats(irm.backward(dy));
        irm.updateRunningStatistics();
        float[] evaluated = floats(irm.forward(x, false));
        return new Result(y, dx, floats(irm.gamma().grad()), floats(irm.beta().grad()), floats(irm.runningMean()),
                floats(irm.runningVariance()), evaluated);
    }

    private static float[] floats(INDArray a) {
        return a.dup().reshape(a.length()).toFloatVector();
    }
}
