package dev.qvit.records;

/**
 * Query and key statistics of one block on a probe batch (the paper's Fig. 1, pooled over heads): Gaussian fits
 * of the teacher's q/k and of the student's q/k raw, after IRM and after the quantizer, and the entropy (bits)
 * of the student's quantized q/k codes.
 */
public record BlockStatistics(int layer, GaussianFit teacherQuery, GaussianFit studentQuery,
                              GaussianFit rectifiedQuery, GaussianFit quantizedQuery, GaussianFit teacherKey,
                              GaussianFit studentKey, GaussianFit rectifiedKey, GaussianFit quantizedKey,
                              double queryEntropyBits, double keyEntropyBits) {

    /** sigma of the quantized student q over sigma of the teacher q. */
    public double queryStdRatio() {
        return quantizedQuery.std() / teacherQuery.std();
    }

    public double keyStdRatio() {
        return quantizedKey.std() / teacherKey.std();
    }
}
