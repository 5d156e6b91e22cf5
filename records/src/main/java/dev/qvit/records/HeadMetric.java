package dev.qvit.records;

import dev.qvit.records.LayerProbe.Stage;

/**
 * One number per layer and head, for the workbench's overview heatmap: where quantization hurts. Each knows its
 * formula, which the UI shows on hover. NaN where a number does not exist (no teacher, no quantizer, no DGD yet).
 */
public enum HeadMetric {
    QUERY_STD_RATIO("q std ratio σS/σT",
            "std of the student's quantized q (after IRM and the quantizer) over the probe batch, divided by the "
                    + "std of the teacher's q; same layer and head. 1 = the spread of the full-precision model."),
    KEY_STD_RATIO("k std ratio σS/σT",
            "std of the student's quantized k over the probe batch divided by the std of the teacher's k; same layer "
                    + "and head."),
    QUERY_CODE_ENTROPY("q code entropy (bits)",
            "Shannon entropy -Σ p_c log2 p_c of the share p_c of the head's q values that the quantizer maps to "
                    + "code c, on the probe batch. The maximum is b bits (all 2^b codes equally used)."),
    KEY_CODE_ENTROPY("k code entropy (bits)",
            "Shannon entropy -Σ p_c log2 p_c of the head's k quantizer codes on the probe batch; maximum b bits."),
    DGD_LOSS("DGD loss",
            "||G_T − G_S|| for q plus k, averaged over the batch, where G = X·Xᵀ / ||X·Xᵀ|| is the head's "
                    + "token-similarity matrix of the rectified q (or k) (method doc 5); from the last step that "
                    + "computed it."),
    ATTENTION_ENTROPY("attention entropy (bits)",
            "mean over probe images and query tokens of -Σ_j a_ij log2 a_ij of the head's softmax attention; "
                    + "log2(N) = uniform attention, 0 = attends to one token.");

    private final String label;
    private final String formula;

    HeadMetric(String label, String formula) {
        this.label = label;
        this.formula = formula;
    }

    public String label() {
        return label;
    }

    public String formula() {
        return formula;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The metric of one layer and head.
     *
     * @param teacher      the full-precision teacher's snapshot, or null
     * @param student      the snapshot of the model being looked at
     * @param distillation DGD of the most recent step that computed it, or null
     */
    public double of(ModelSnapshot teacher, ModelSnapshot student, DistillationLoss distillation, int layer, int head) {
        return switch (this) {
            case QUERY_STD_RATIO -> stdRatio(teacher, student, Tensor.QUERY, layer, head);
            case KEY_STD_RATIO -> stdRatio(teacher, student, Tensor.KEY, layer, head);
            case QUERY_CODE_ENTROPY -> codeEntropy(student, Tensor.QUERY, layer, head);
            case KEY_CODE_ENTROPY -> codeEntropy(student, Tensor.KEY, layer, head);
            case DGD_LOSS -> distillation == null || layer >= distillation.layers()
                    || head >= distillation.heads(layer) ? Double.NaN : distillation.of(layer, head);
            case ATTENTION_ENTROPY -> student.attentionEntropy(layer, head);
        };
    }

    /**
     * The metric for every layer and head, [layer][head], as wide as the layer with the most heads: NaN beyond a
     * layer's own heads (Swin's first stage has fewer than its last).
     */
    public double[][] grid(ModelSnapshot teacher, ModelSnapshot student, DistillationLoss distillation) {
        double[][] out = new double[student.layers()][student.maxHeads()];
        for (int l = 0; l < out.length; l++) {
            java.util.Arrays.fill(out[l], Double.NaN);
            for (int h = 0; h < student.heads(l); h++) {
                out[l][h] = of(teacher, student, distillation, l, h);
            }
        }
        return out;
    }

    private static double stdRatio(ModelSnapshot teacher, ModelSnapshot student, Tensor tensor, int layer, int head) {
        if (teacher == null || teacher == student || layer >= teacher.layers() || head >= teacher.heads(layer)) {
            return Double.NaN;
        }
        return student.distribution(layer, head, tensor, Stage.QUANTIZED).fit().std()
                / teacher.distribution(layer, head, tensor, Stage.RAW).fit().std();
    }

    private static double codeEntropy(ModelSnapshot student, Tensor tensor, int layer, int head) {
        return student.quantizer(layer, tensor)
                .filter(q -> head < q.perChannel().size())
                .map(q -> q.perChannel().get(head).entropyBits())
                .orElse(Double.NaN);
    }
}
