package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class QuantizedStudentTest {
    private static final VitConfig SMALL = new VitConfig(28, 4, 1, 32, 2, 2, 64, 10);

    static INDArray batch(int n) {
        return BatchLoader.firstImages(FashionMnist.bundled().test(), n);
    }

    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
    }

    @Test
    void eightBitStudentStaysCloseToTheTeacherAndTwoBitsDoesNot() {
        VisionTransformer teacher = VisionTransformer.create(SMALL, 3);
        INDArray x = batch(32);
        INDArray teacherLogits = teacher.forward(x, false).dup();
        VisionTransformer w8 = QuantizedStudent.fromTeacher(teacher,
                new QuantizationConfig(8, QuantizationConfig.Rectification.NONE, 8), x);
        VisionTransformer w2 = QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(2, QuantizationConfig.Rectification.NONE), x);
        double d8 = relativeDifference(w8.forward(x, true), teacherLogits);
        double d2 = relativeDifference(w2.forward(x, true), teacherLogits);
        // LSQ initialisation (2 mean|x| / sqrt(Qp)) gives 8-bit steps of ~0.14 sigma: close, not exact
        assertThat(d8).isLessThan(0.2);
        assertThat(d2).isGreaterThan(2 * d8);
    }

    @ParameterizedTest
    @EnumSource(QuantizationConfig.Rectification.class)
    void studentTrainsEndToEndWithEveryIrmForm(QuantizationConfig.Rectification form) {
        // given a 4-bit student of a random teacher
        VisionTransformer teacher = VisionTransformer.create(SMALL, 1);
        INDArray x = batch(16);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(4, form), x);
        CrossEntropy ce = new CrossEntropy(new Buffers(DataType.FLOAT));
        int[] labels = new int[16];
        // when it takes a forward and backward pass
        INDArray logits = student.forward(x, true);
        double loss = ce.forward(logits, ce.oneHot(labels, 10));
        student.backward(ce.backward());
        // then every parameter, including steps, zero points and IRM, receives a finite gradient
        assertThat(loss).isFinite();
        assertThat(student.parameters().grads().norm2Number().doubleValue()).isFinite().isPositive();
        INDArray qStep = student.parameters().get("blocks.0.attn.q_quant.step").grad();
        assertThat(qStep.norm2Number().doubleValue()).isPositive();
        if (form != QuantizationConfig.Rectification.NONE) {
            assertThat(student.parameters().get("blocks.1.attn.norm_k.weight").grad().norm2Number().doubleValue()).isPositive();
        }
    }

    @Test
    void distributionIrmStartsAsTheIdentity() {
        VisionTransformer teacher = VisionTransformer.create(SMALL, 2);
        INDArray x = batch(32);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(8, QuantizationConfig.Rectification.DISTRIBUTION), x);
        teacher.forward(x, false);
        INDArray rawQuery = teacher.blocks().get(0).attention().lastQuery().dup();
        DistributionRectification irm = (DistributionRectification) student.blocks().get(0).attention().quantizers()
                .queryRectification();
        INDArray rectified = irm.forward(rawQuery, false);
        assertThat(relativeDifference(rectified, rawQuery)).isLessThan(1e-3);
    }
}
