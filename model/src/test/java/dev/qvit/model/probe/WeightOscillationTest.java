package dev.qvit.model.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedLinear;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WeightOscillationTest {

    @Test
    void aCodeThatMovesUpThenBackTwiceFlipsTwiceInThreeSteps() {
        // given a 2-bit student whose qkv weights all sit at code 0 under a step of 1
        VisionTransformer student = studentWithQkvAtCodeZero();
        INDArray w = qkvWeight(student);
        WeightOscillation oscillation = new WeightOscillation(student);
        oscillation.afterStep();                                   // reference codes: all 0
        // when one weight goes to code +1, back to 0, up to +1 again, and another only up
        setFirst(w, 1.0, 0.0);
        oscillation.afterStep();                                   // +1 move, no earlier move: no flip
        setFirst(w, 0.0, 1.0);
        oscillation.afterStep();                                   // back: flip 1; the second moves up: none
        setFirst(w, 1.2, 1.0);
        oscillation.afterStep();                                   // up again after down: flip 2
        // then the layer's rate is 2 flips over 3 counted steps of all its weights
        Map<String, Double> rates = oscillation.rates();
        assertThat(rates.get("blocks.0.attn.qkv.weight")).isCloseTo(2.0 / (3 * w.length()), within(1e-12));
        // and a layer whose codes never moved did not oscillate
        assertThat(rates.get("blocks.0.mlp.fc1.weight")).isZero();
        // and a new window forgets the flips and the directions
        oscillation.restart();
        oscillation.afterStep();
        setFirst(w, 0.0, 1.0);
        oscillation.afterStep();
        assertThat(oscillation.rates().get("blocks.0.attn.qkv.weight")).isZero();
    }

    @Test
    void aCountRestoredFromItsStateGoesOnAsIfNeverInterrupted() {
        // given the same moves as above, the count saved after the first move up (as a checkpoint would)
        VisionTransformer student = studentWithQkvAtCodeZero();
        INDArray w = qkvWeight(student);
        WeightOscillation before = new WeightOscillation(student);
        before.afterStep();
        setFirst(w, 1.0, 0.0);
        before.afterStep();
        WeightOscillation.State saved = before.state();
        // when a new tracker (as in a resumed process) takes that state and sees the move back
        WeightOscillation resumed = new WeightOscillation(student);
        resumed.restore(saved);
        setFirst(w, 0.0, 1.0);
        resumed.afterStep();
        // then it counts the flip the uninterrupted one counts, over the same two steps
        before.afterStep();
        assertThat(resumed.rates()).isEqualTo(before.rates());
        assertThat(resumed.rates().get("blocks.0.attn.qkv.weight")).isCloseTo(1.0 / (2 * w.length()), within(1e-12));
        assertThat(resumed.state()).isEqualTo(before.state());
        // and a fresh tracker without the state would have missed it
        WeightOscillation fresh = new WeightOscillation(student);
        fresh.afterStep();
        assertThat(fresh.rates().get("blocks.0.attn.qkv.weight")).isNaN();
    }

    /** A 2-bit student (LSQ initialised) whose block-0 qkv weights are all 0 under a step of 1: code 0. */
    private static VisionTransformer studentWithQkvAtCodeZero() {
        VisionTransformer teacher = VisionTransformer.create(new VitConfig(28, 7, 1, 16, 1, 2, 32, 10), 0);
        Nd4j.getRandom().setSeed(1);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.NONE),
                Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28));
        student.forward(Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28), true);          // LSQ initialises
        QuantizedLinear qkv = (QuantizedLinear) student.blocks().get(0).attention().qkv();
        qkv.weightQuantizer().step().value().assign(1);
        qkv.weight().value().assign(0);
        return student;
    }

    private static INDArray qkvWeight(VisionTransformer student) {
        return ((QuantizedLinear) student.blocks().get(0).attention().qkv()).weight().value();
    }

    private static void setFirst(INDArray w, double first, double second) {
        w.putScalar(0, 0, first);
        w.putScalar(0, 1, second);
    }
}
