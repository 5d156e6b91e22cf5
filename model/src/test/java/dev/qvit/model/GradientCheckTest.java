package dev.qvit.model;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static dev.qvit.model.GradientCheck.check;
import static dev.qvit.model.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The instrument of every gradient test, checked on L = sum(sin(x) * R), whose gradient R cos(x) is known in closed
 * form: it passes the true gradient and fails each kind of wrong one the layer tests must catch.
 */
class GradientCheckTest {
    private final Random random = new Random(4242);
    private final INDArray x = gaussian(random, 0.0, 1.5, 4, 6);
    private final INDArray r = gaussian(random, 4, 6);
    private final DoubleSupplier loss = () -> GradientCheck.weightedSum(Transforms.sin(x, true), r);

    private INDArray trueGradient() {
        return Transforms.cos(x, true).muli(r);
    }

    @Test
    void theTrueGradientPassesWellInsideTheTolerance() {
        GradientCheck.Result result = check("sin", x, trueGradient(), loss, ALL, random).assertBelow(TOLERANCE);
        assertThat(result.checked()).isEqualTo(24);
        assertThat(result.worstError()).isLessThan(TOLERANCE / 100);
    }

    @Test
    void oneElementOffByOnePartInTenThousandFailsAndIsNamed() {
        // given the true gradient with element 13 scaled by 1.0001 (relative error 5e-5 in the criterion)
        INDArray wrong = trueGradient();
        wrong.putScalar(13, wrong.getDouble(13) * 1.0001);
        // when / then
        GradientCheck.Result result = check("sin", x, wrong, loss, ALL, random);
        assertThat(result.worstIndex()).isEqualTo(13);
        assertThat(result.worstError()).isGreaterThan(TOLERANCE);
        assertThatThrownBy(() -> result.assertBelow(TOLERANCE)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("flat index 13");
    }

    @Test
    void aMissingTermAWrongSignAndNaNAllFail() {
        int largest = (int) Transforms.abs(trueGradient()).argMax().getInt(0);
        INDArray missing = trueGradient();
        missing.putScalar(largest, 0.0);
        INDArray sign = trueGradient().negi();
        INDArray nan = trueGradient();
        nan.putScalar(2, Double.NaN);

        assertThat(check("missing", x, missing, loss, ALL, random).worstError()).isCloseTo(1.0, within(1e-6));
        assertThat(check("sign", x, sign, loss, ALL, random).worstError()).isCloseTo(1.0, within(1e-6));
        assertThat(check("nan", x, nan, loss, ALL, random).worstError()).isInfinite();
    }

    @Test
    void anElementAtAStationaryPointIsHeldToAnAbsoluteBoundNotToItsOwnRoundingNoise() {
        // given x_7 = pi/2, where d sin/dx = 0: its central difference is rounding noise of L, not 0
        x.putScalar(7, Math.PI / 2);
        INDArray exact = trueGradient();
        INDArray offByALittle = exact.dup();
        offByALittle.putScalar(7, 1e-6);
        // then the true (zero) gradient passes, and 1e-6 where 0 is due fails on element 7
        check("stationary", x, exact, loss, ALL, random).assertBelow(TOLERANCE);
        GradientCheck.Result wrong = check("not zero", x, offByALittle, loss, ALL, random);
        assertThat(wrong.worstIndex()).isEqualTo(7);
        assertThat(wrong.worstError()).isGreaterThan(TOLERANCE);
    }

    @Test
    void samplingChecksTheRequestedNumberOfDistinctElementsAndRestoresTheVariable() {
        INDArray before = x.dup();
        GradientCheck.Result result = check("sample", x, trueGradient(), loss, 5, random);
        assertThat(result.checked()).isEqualTo(5);
        assertThat(x.equalsWithEps(before, 0)).isTrue();
    }

    @Test
    void float32VariablesAreRefused() {
        INDArray single = x.castTo(DataType.FLOAT);
        assertThatThrownBy(() -> check("f32", single, single, () -> 0, ALL, random))
                .hasMessageContaining("float64");
    }
}
