package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.records.QuantizerOutcome;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class UniformQuantizerTest {

    @Test
    void twoBitsWithStepOneHalfByHand() {
        // given six values and a signed 2-bit quantizer (codes -2..1) with step 0.5
        float[] x = {-1.0f, -0.4f, 0.1f, 0.26f, 0.9f, 2.5f};
        QuantizerOutcome q = UniformQuantizer.apply(x, 2, true, 0.5);
        // then x/s = -2, -0.8, 0.2, 0.52, 1.8, 5: codes -2, -1, 0, 1, 1, 1; 1.8 and 5 lie beyond Qp = 1
        assertThat(q.usage().counts()).containsExactly(1, 1, 1, 3);
        assertThat(q.usage().clipFraction()).isCloseTo(2.0 / 6, within(1e-12));
        assertThat(q.lowestCode()).isEqualTo(-2);
        assertThat(q.highestCode()).isEqualTo(1);
        assertThat(q.level(-2)).isEqualTo(-1.0);
        // and the errors 0, 0.1, 0.1, -0.24, 0.4, 2.0 give MSE 4.2376 / 6 and SQNR 10 log10(8.2976 / 4.2376)
        assertThat(q.mse()).isCloseTo(4.2376 / 6, within(1e-6));
        assertThat(q.sqnrDb()).isCloseTo(10 * Math.log10(8.2976 / 4.2376), within(1e-5));
        // and the code entropy is 3 · (1/6) log2 6 + (1/2) log2 2
        assertThat(q.usage().entropyBits()).isCloseTo(0.5 * Math.log(6) / Math.log(2) + 0.5, within(1e-12));
        // and LSQ would start at 2 mean|x| / sqrt(Qp) = 2 · 0.86 / 1
        assertThat(UniformQuantizer.lsqInitialStep(x, 2, true)).isCloseTo(1.72, within(1e-6));
    }

    @Test
    void halvesRoundToEvenAndUnsignedCodesStartAtZero() {
        // 0.25/0.5 = 0.5 -> 0 and 0.75/0.5 = 1.5 -> 2, as rint and the engine round
        QuantizerOutcome q = UniformQuantizer.apply(new float[] {0.25f, 0.75f}, 4, false, 0.5);
        assertThat(q.lowestCode()).isZero();
        assertThat(q.highestCode()).isEqualTo(15);
        assertThat(q.usage().counts()[0]).isEqualTo(1);
        assertThat(q.usage().counts()[2]).isEqualTo(1);
        assertThat(q.sqnrDb()).isCloseTo(10 * Math.log10((0.0625 + 0.5625) / (0.0625 + 0.0625)), within(1e-9));
        assertThat(UniformQuantizer.apply(new float[] {0.5f, -1f}, 3, true, 0.5).sqnrDb()).isInfinite();
    }

    @Test
    void theCodesAreTheEnginesForTheSameStep() {
        // given a weight matrix whose per-channel steps are all one value (LSQ's initialisation)
        Nd4j.getRandom().setSeed(3);
        INDArray w = Nd4j.randn(DataType.FLOAT, 24, 16).muli(0.05);
        dev.qvit.model.nn.ParameterSet params = new dev.qvit.model.nn.ParameterSet(DataType.FLOAT);
        LsqQuantizer lsq = LsqQuantizer.forWeight(params, "w", 3, 24);
        params.allocate();
        lsq.forward(w, true);                                               // initialises all steps alike
        double s = lsq.step().value().getDouble(0);
        INDArray codes = lsq.weightCodes(w, Nd4j.create(DataType.FLOAT, 24), Nd4j.create(DataType.FLOAT, 24, 16));
        // when the demo's quantizer uses the same step on the same values
        float[] values = w.dup('c').data().asFloat();
        QuantizerOutcome q = UniformQuantizer.apply(values, 3, true, s);
        // then its code counts are the engine's, and its LSQ step is the engine's initialisation
        long[] expected = new long[8];
        for (float c : codes.dup('c').data().asFloat()) {
            expected[Math.round(c) + 4]++;
        }
        assertThat(q.usage().counts()).containsExactly(expected);
        assertThat(UniformQuantizer.lsqInitialStep(values, 3, true)).isCloseTo(s, within(1e-6 * s));
    }

    @Test
    void theEntropyMaximisingStepBeatsEveryOtherStepTried() {
        // given Gaussian values, as q of a head is
        Random r = new Random(7);
        float[] x = new float[4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.7 * r.nextGaussian());
        }
        for (int bits : new int[] {2, 4}) {
            double best = UniformQuantizer.entropyMaximisingStep(x, bits, true);
            double h = UniformQuantizer.apply(x, bits, true, best).usage().entropyBits();
            // then no step on a fine grid gives more entropy, and LSQ's start gives less
            for (double s = 0.001; s < 3; s *= 1.01) {
                assertThat(UniformQuantizer.apply(x, bits, true, s).usage().entropyBits()).as("s = %f", s)
                        .isLessThanOrEqualTo(h + 2e-3);
            }
            assertThat(h).isGreaterThan(UniformQuantizer.apply(x, bits, true,
                    UniformQuantizer.lsqInitialStep(x, bits, true)).usage().entropyBits());
            assertThat(h).isLessThanOrEqualTo(bits);
        }
    }

    @Test
    void aStepOrBitWidthOutOfRangeIsOneSentence() {
        assertThatThrownBy(() -> UniformQuantizer.apply(new float[] {1}, 2, true, 0))
                .hasMessage("the step must be a number above 0, got 0.0");
        assertThatThrownBy(() -> UniformQuantizer.apply(new float[] {1}, 9, true, 1))
                .hasMessage("bits must be between 1 and 8, got 9");
    }
}
