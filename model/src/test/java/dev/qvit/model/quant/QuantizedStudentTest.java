package dev.qvit.model.quant;

import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.Parameter;
import java.util.HashSet;
import java.util.Set;
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
        // then every parameter, including steps and IRM, receives a finite non-zero gradient; a zero point one
        // exactly when its quantizer clamped some input (dL/dz = -s sum of u over the clamped elements); the
        // distribution IRM's running statistics (not learned) none
        assertThat(loss).isFinite();
        Set<String> zeroPoints = new HashSet<>();
        for (LsqQuantizer q : student.quantizers()) {
            if (q.zeroPoint() != null) {
                zeroPoints.add(q.zeroPoint().name());
                double n = norm(q.zeroPoint().grad());
                assertThat(n).as("%s gradient", q.zeroPoint().name()).isFinite();
                assertThat(n > 0).as("%s gradient %s is non-zero exactly when an input was clamped",
                        q.zeroPoint().name(), n).isEqualTo(clampedAny(q));
            }
        }
        for (Parameter p : student.parameters().parameters()) {
            if (p.name().contains(".running_")) {
                assertThat(norm(p.grad())).as("%s gradient", p.name()).isZero();
            } else if (!zeroPoints.contains(p.name())) {
                assertThat(norm(p.grad())).as("%s gradient", p.name()).isFinite().isPositive();
            }
        }
        long irm = student.parameters().parameters().stream().filter(p -> p.name().contains(".norm_")).count();
        assertThat(irm).isEqualTo(switch (form) {
            case NONE -> 0L;
            case TOKEN -> 2L * 2 * SMALL.depth();           // q and k: gamma, beta
            case DISTRIBUTION -> 2L * 4 * SMALL.depth();    // q and k: gamma, beta, running mean and variance
        });
    }

    private static double norm(INDArray a) {
        return a.norm2Number().doubleValue();
    }

    /** Whether any pre-clamp value v of the quantizer's last forward lay outside [Qn, Qp]. */
    private static boolean clampedAny(LsqQuantizer q) {
        INDArray v = q.lastScaled();
        return v.minNumber().doubleValue() < q.range().qn() || v.maxNumber().doubleValue() > q.range().qp();
    }

    @Test
    void distributionIrmStartsAsTheIdentity() {
        VisionTransformer teacher = VisionTransformer.create(SMALL, 2);
        INDArray x = batch(32);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(8, QuantizationConfig.Rectification.DISTRIBUTION), x);
        INDArray rawQuery = teacher.trace(x, false).attention().get(0).query().dup();
        DistributionRectification irm = (DistributionRectification) student.blocks().get(0).attention().quantizers()
                .queryRectification();
        INDArray rectified = irm.forward(rawQuery, false);
        assertThat(relativeDifference(rectified, rawQuery)).isLessThan(1e-3);
    }
}
