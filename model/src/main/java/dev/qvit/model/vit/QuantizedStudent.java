package dev.qvit.model.vit;

import dev.qvit.model.quant.AttentionQuantizers;
import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.summarystats.StandardDeviation;
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
            List<AttentionTrace> t = teacher.trace(calibration, false).attention();
            for (int l = 0; l < layers.size(); l++) {
                AttentionQuantizers q = layers.get(l).quantizers();
                identity((DistributionRectification) q.queryRectification(), t.get(l).query());
                identity((DistributionRectification) q.keyRectification(), t.get(l).key());
            }
        }
        return student;
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

    private static void identity(DistributionRectification irm, INDArray teacherValues) {
        int heads = (int) teacherValues.size(1);
        INDArray mu = Nd4j.create(teacherValues.dataType(), heads);
        INDArray sigma = Nd4j.create(teacherValues.dataType(), heads);
        Nd4j.exec(new Mean(teacherValues, mu, 0, 2, 3));
        Nd4j.exec(new StandardDeviation(teacherValues, sigma, false, 0, 2, 3));
        irm.initIdentity(mu.toDoubleVector(), sigma.toDoubleVector());
    }
}
