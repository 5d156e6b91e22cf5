package dev.qvit.model.nn;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;
import static dev.qvit.model.GradientCheck.weightedSum;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Linear y = x W^T + b against central differences of L = sum(y * R), float64. */
class LinearGradientTest {
    private static final int ROWS = 6;
    private static final int IN = 8;
    private static final int OUT = 12;

    private final Random random = new Random(1101);
    private final ParameterSet params = new ParameterSet(DataType.DOUBLE);
    private final Linear linear = new Linear(params, "fc", IN, OUT);
    private INDArray x;
    private INDArray r;
    private INDArray dx;

    @BeforeEach
    void forwardAndBackward() {
        params.allocate();
        linear.initPyTorchDefault(random);           // U(+-1/sqrt(in)) for weight and a non-zero bias
        x = gaussian(random, ROWS, IN);
        r = gaussian(random, ROWS, OUT);
        linear.forward(x);
        dx = linear.backward(r).dup();               // dy = R; dW, db land in the parameters' grad()
    }

    private double loss() {
        return weightedSum(linear.forward(x), r);
    }

    @Test
    void linearInputGradientMatchesFiniteDifferences() {
        check("fc dx", x, dx, this::loss, ALL, random).assertBelow(TOLERANCE);
    }

    @Test
    void linearWeightGradientMatchesFiniteDifferences() {
        check(linear.weight(), this::loss, ALL, random).assertBelow(TOLERANCE);
    }

    @Test
    void linearBiasGradientMatchesFiniteDifferences() {
        check(linear.bias(), this::loss, ALL, random).assertBelow(TOLERANCE);
    }

    @Test
    void linearBackwardParametersOnlyWeightAndBiasGradientsMatchFiniteDifferences() {
        // given stale gradients
        linear.weight().grad().assign(Double.NaN);
        linear.bias().grad().assign(Double.NaN);

        // when only the parameter gradients are computed (the path of the patch embedding)
        linear.forward(x);
        linear.backwardParametersOnly(r);

        // then they are overwritten with the true gradients
        check(linear.weight(), this::loss, ALL, random).assertBelow(TOLERANCE);
        check(linear.bias(), this::loss, ALL, random).assertBelow(TOLERANCE);
    }
}
