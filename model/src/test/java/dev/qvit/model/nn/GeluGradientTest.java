package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.LayerGradients;
import java.util.Random;
import dev.qvit.model.nn.fused.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Exact (erf) GELU, plain and clamped, against central differences of L = sum(gelu(x) * R), float64. */
class GeluGradientTest {
    private final Random random = new Random(1303);

    @Test
    void geluInputGradientMatchesFiniteDifferences() {
        // given inputs spread over the curved part of GELU and its tails (std 2)
        Gelu gelu = new Gelu(DataType.DOUBLE);
        INDArray x = gaussian(random, 0.0, 2.0, 6, 12);

        // when
        LayerGradients gradients = LayerGradients.of(random, x, gelu::forward, gelu::backward);

        // then
        gradients.checkInput("gelu dx").assertBelow(TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(Kernels.Path.class)
    void float32GeluWithTheErfApproximationMatchesTheExactOneToFloatResolution(Kernels.Path path) {
        // given inputs over [-9, 9], including 0 and the far tails
        INDArray exact = org.nd4j.linalg.factory.Nd4j.linspace(-9, 9, 7201, DataType.DOUBLE).reshape(1, 7201);
        INDArray single = exact.castTo(DataType.FLOAT);
        INDArray r = gaussian(random, 1, 7201);
        Gelu precise = new Gelu(DataType.DOUBLE);
        Gelu fast = new Gelu(DataType.FLOAT).useKernels(path);

        // when
        INDArray yExact = precise.forward(exact).dup();
        INDArray dxExact = precise.backward(r).dup();
        INDArray yFast = fast.forward(single).castTo(DataType.DOUBLE);
        INDArray dxFast = fast.backward(r.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);

        // then the outputs differ by at most float32 rounding of |y| <= 9 plus the 1.5e-7 error of erf times |x|
        double maxOutputError = Transforms.abs(yFast.sub(yExact)).maxNumber().doubleValue();
        double maxGradientError = Transforms.abs(dxFast.sub(dxExact)).div(Transforms.abs(r).add(1e-3)).maxNumber()
                .doubleValue();
        assertThat(maxOutputError).isLessThan(2e-6);
        assertThat(maxGradientError).isLessThan(1e-6);
        assertThat(yFast.getDouble(0, 3600)).isEqualTo(0.0);                     // GELU(0)
    }

    @Test
    void vectorAndScalarGeluAgreeBitForBitOnViewsWithAnOffsetClippedOrNot() {
        // 10 is the quantized MLP's clip (the vector backward masks x > 10), 3 one below where Phi(x) = 1f
        for (double clip : new double[] {Double.NaN, 3.0, 10.0}) {
            for (int n : new int[] {1, 15, 16, 1000, 3203}) {
                INDArray big = gaussian(random, 0.0, clip == 10.0 ? 8.0 : 4.0, 1, n + 7).castTo(DataType.FLOAT);
                INDArray x = big.get(NDArrayIndex.point(0), NDArrayIndex.interval(7, n + 7)).reshape(1, n);
                INDArray dy = gaussian(random, 0.0, 1.0, 1, n).castTo(DataType.FLOAT);
                Gelu vector = new Gelu(DataType.FLOAT, clip).useKernels(Kernels.Path.VECTOR);
                Gelu scalar = new Gelu(DataType.FLOAT, clip).useKernels(Kernels.Path.SCALAR);
                Gelu reference = new Gelu(DataType.FLOAT, clip).useKernels(Kernels.Path.ND4J);
                float[] yVector = vector.forward(x).dup().data().asFloat();
                float[] dxVector = vector.backward(dy).dup().data().asFloat();
                assertThat(yVector).containsExactly(scalar.forward(x).dup().data().asFloat());
                assertThat(dxVector).containsExactly(scalar.backward(dy).dup().data().asFloat());
                float[] yReference = reference.forward(x).dup().data().asFloat();
                float[] dxReference = reference.backward(dy).dup().data().asFloat();
                for (int i = 0; i < n; i++) {      // another exp, the same formula: within float32 roundings
                    assertThat(yVector[i]).isCloseTo(yReference[i], org.assertj.core.api.Assertions.within(
                            1e-6f * Math.max(1f, Math.abs(yReference[i]))));
                    assertThat(dxVector[i]).isCloseTo(dxReference[i], org.assertj.core.api.Assertions.within(
                            1e-6f * Math.max(1f, Math.abs(dy.getFloat(0, i)))));
                }
            }
        }
    }

    @Test
    void clippedGeluInputGradientMatchesFiniteDifferencesOnBothSidesOfTheClip() {
        // given a clamp at 3 with std-3 inputs: some outputs clamped (gradient 0), most not, none within 1e-3 of
        // the kink at |gelu(x)| = 3, where the function is not differentiable
        double clip = 3.0;
        Gelu gelu = new Gelu(DataType.DOUBLE, clip);
        INDArray x = gaussian(random, 0.0, 3.0, 6, 12);
        INDArray distanceToKink = Transforms.abs(new Gelu(DataType.DOUBLE).forward(x).sub(clip));
        assertThat(distanceToKink.minNumber().doubleValue()).isGreaterThan(1e-3);
        long clamped = new Gelu(DataType.DOUBLE).forward(x).gt(clip).castTo(DataType.INT32).sumNumber().longValue();
        assertThat(clamped).isBetween(5L, 67L);

        // when
        LayerGradients gradients = LayerGradients.of(random, x, gelu::forward, gelu::backward);

        // then
        gradients.checkInput("clipped gelu dx").assertBelow(TOLERANCE);
    }
}
