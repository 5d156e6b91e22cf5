package dev.qvit.model.vit;

import dev.qvit.model.quant.AttentionQuantizers;
import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import java.util.List;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.summarystats.StandardDeviation;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the fully quantized student from a full-precision teacher (method doc section 6): same architecture,
 * every teacher weight copied by name, IRM started from its defaults (token form) or as the identity on the
 * teacher's per-head query/key statistics (distribution form). Quantizer steps initialise on the first training
 * batch.
 */
public final class QuantizedStudent {
    private QuantizedStudent() {
    }

    /**
     * @param calibration a batch of normalised training images [B, C, S, S], used only by the distribution form
     *                    of IRM (teacher statistics per head)
     */
    @SuppressWarnings("unchecked")     // every backbone's quantized() returns its own class
    public static <M extends Backbone> M fromTeacher(M teacher, QuantizationConfig config, INDArray calibration) {
        if (teacher.quantization() != null) {
            throw new IllegalArgumentException("the teacher must be a full-precision model");
        }
        M student = (M) teacher.quantized(config.requireValid());
        copyWeights(teacher.parameters(), student.parameters());
        List<MultiHeadSelfAttention> layers = student.attentionLayers();
        layers.forEach(a -> a.quantizers().initRectification());
        if (config.rectification() == QuantizationConfig.Rectification.DISTRIBUTION) {
            forEachRectification(student, teacher.trace(calibration, false).attention(),
                    (irm, values) -> irm.initIdentity(perHeadMean(values), perHeadStd(values)));
        }
        return student;
    }

    /**
     * Each attention block's distribution IRM of q with the block's traced q, then that of k with its k, in
     * forward order.
     */
    public static void forEachRectification(Backbone student, List<AttentionTrace> traces,
                                            BiConsumer<DistributionRectification, INDArray> action) {
        List<MultiHeadSelfAttention> layers = student.attentionLayers();
        for (int l = 0; l < layers.size(); l++) {
            AttentionQuantizers q = layers.get(l).quantizers();
            action.accept((DistributionRectification) q.queryRectification(), traces.get(l).query());
            action.accept((DistributionRectification) q.keyRectification(), traces.get(l).key());
        }
    }

    /** Per head, the mean of values [B, H, N, d] over images, tokens and channels. */
    public static double[] perHeadMean(INDArray values) {
        INDArray out = Nd4j.create(values.dataType(), values.size(1));
        Nd4j.exec(new Mean(values, out, 0, 2, 3));
        return out.toDoubleVector();
    }

    /** Per head, the biased standard deviation of values [B, H, N, d]. */
    public static double[] perHeadStd(INDArray values) {
        INDArray out = Nd4j.create(values.dataType(), values.size(1));
        Nd4j.exec(new StandardDeviation(values, out, false, 0, 2, 3));
        return out.toDoubleVector();
    }

    /** Per head, the biased variance of values [B, H, N, d]. */
    public static double[] perHeadVariance(INDArray values) {
        INDArray out = Nd4j.create(values.dataType(), values.size(1));
        Nd4j.exec(new Variance(values, out, false, 0, 2, 3));
        return out.toDoubleVector();
    }

    /** Copies every teacher parameter into the student parameter of the same name and shape. */
    public static void copyWeights(ParameterSet teacher, ParameterSet student) {
        for (Parameter p : teacher.parameters()) {
            if (!student.contains(p.name())) {
                throw new IllegalArgumentException("student has no parameter " + p.name());
            }
            student.get(p.name()).value().assign(p.value());
        }
    }

}
