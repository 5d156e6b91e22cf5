package dev.qvit.app.fx;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.records.HeadMetric;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.Tensor;
import dev.qvit.viz.fx.AttentionView;
import dev.qvit.viz.fx.DistributionsView;
import dev.qvit.viz.fx.LossesView;
import dev.qvit.viz.fx.OverviewPanel;
import dev.qvit.viz.fx.Selection;
import dev.qvit.viz.fx.SimilarityView;
import dev.qvit.viz.fx.WorkbenchView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Steps 2-4 of the guided demo: three 2-bit students of the bundled teacher, trained live one after the other on the
 * bundled data, each with the views its idea is about: the baseline (how quantization distorts q, k and
 * attention), with IRM (what rectification changes), with IRM and DGD (the similarity matrices DGD matches).
 */
record DemoStudents(StudentStep baseline, StudentStep irm, StudentStep qvit) {
    static final int BITS = 2;
    static final int EPOCHS = 1;
    static final long SEED = 0;
    /** The last block, where quantization distorts q most (Fig. 1). */
    static final int LAYER = 3;

    static final String HISTOGRAMS = "q/k histograms";
    static final String OVERVIEW = "σ ratio per head";
    static final String ATTENTION = "attention maps";
    static final String SIMILARITY = "similarity G";
    static final String LOSSES = "DGD loss curves";

    static DemoStudents create(ExperimentRun.Teacher teacher, int trainLimit, ExecutorService training) {
        StudentStep baseline = new StudentStep("Quantization distorts queries, keys and attention", BASELINE_TEXT,
                spec(trainLimit, Rectification.NONE, false), teacher, training,
                views(tab(HISTOGRAMS, new DistributionsView()), tab(OVERVIEW, new OverviewPanel()),
                        tab(ATTENTION, new AttentionView())),
                new Selection(LAYER, 0, 0, Tensor.QUERY, Stage.QUANTIZED), null, () -> { });
        StudentStep[] irm = new StudentStep[1];
        StudentComparison moved = new StudentComparison("baseline", baseline::data, "IRM", () -> irm[0].data(),
                List.of(HeadMetric.QUERY_STD_RATIO, HeadMetric.KEY_STD_RATIO, HeadMetric.QUERY_CODE_ENTROPY,
                        HeadMetric.ATTENTION_ENTROPY));
        irm[0] = new StudentStep("What IRM changes", IRM_TEXT, spec(trainLimit, Rectification.DISTRIBUTION, false),
                teacher, training,
                views(tab(HISTOGRAMS, new DistributionsView()), tab(OVERVIEW, new OverviewPanel()),
                        tab(ATTENTION, new AttentionView())),
                new Selection(LAYER, 0, 0, Tensor.QUERY, Stage.RECTIFIED), moved, moved::update);
        StudentStep[] qvit = new StudentStep[1];
        StudentComparison distilled = new StudentComparison("baseline", baseline::data, "IRM+DGD",
                () -> qvit[0].data(), List.of(HeadMetric.DGD_LOSS, HeadMetric.QUERY_STD_RATIO,
                HeadMetric.ATTENTION_ENTROPY));
        qvit[0] = new StudentStep("What DGD adds", DGD_TEXT, spec(trainLimit, Rectification.DISTRIBUTION, true),
                teacher, training,
                views(tab(SIMILARITY, new SimilarityView()), tab(LOSSES, new LossesView()),
                        tab(HISTOGRAMS, new DistributionsView())),
                new Selection(LAYER, 0, 0, Tensor.QUERY, Stage.QUANTIZED), distilled, distilled::update);
        return new DemoStudents(baseline, irm[0], qvit[0]);
    }

    /** The recipe of the command line's {@code quantize}, 2 bits, one epoch on the bundled data. */
    static ExperimentSpec spec(int trainLimit, Rectification irm, boolean dgd) {
        return ExperimentSpec.student(null, new ExperimentSpec.Data("bundled", trainLimit, 0),
                ExperimentSpec.BUNDLED_TEACHER, QuantizationConfig.of(BITS, irm),
                DistillationSettings.of(dgd, 0.1, DistributionGuidedDistillation.Norm.HEAD), EPOCHS, SEED);
    }

    List<StudentStep> steps() {
        return List.of(baseline, irm, qvit);
    }

    /** Stops the running run and drops the queued ones. */
    void stop() {
        steps().forEach(StudentStep::stopRun);
    }

    /** The tabs in their order. */
    @SafeVarargs
    private static Map<String, WorkbenchView> views(Map.Entry<String, WorkbenchView>... tabs) {
        Map<String, WorkbenchView> out = new LinkedHashMap<>();
        for (Map.Entry<String, WorkbenchView> tab : tabs) {
            out.put(tab.getKey(), tab.getValue());
        }
        return out;
    }

    private static Map.Entry<String, WorkbenchView> tab(String name, WorkbenchView view) {
        return Map.entry(name, view);
    }

    private static final String BASELINE_TEXT = """
            Now a whole model. The student is the teacher's copy with every block at 2 bits: its weights, its \
            inputs, q, k, v and the attention probabilities, all through LSQ quantizers (patch embedding and head \
            at 8 bits). This one is the baseline: no IRM, no DGD.
            It trains live on this machine while you watch; the line above the charts says what runs. The charts \
            are the workbench's own probes of the student, taken every few seconds on 30 test images.
            q/k histograms: the teacher's queries of the selected head against the student's after its quantizer, \
            each with its fitted Gaussian. The overview maps the std ratio of every head:
                σS/σT = std(Q(q_S)) / std(q_T)
            At 1 the student's queries keep the teacher's spread. Away from 1 the scores q·kᵀ/√d change scale and \
            so does the attention: the attention maps show teacher, student and their difference over the image.""";

    private static final String IRM_TEXT = """
            IRM rectifies q and k before their quantizers: each head's values are normalised with their own mean \
            and std, then given a learnable scale γ and shift β (the paper's distribution form):
                q' = γ · (q − μ) / √(σ² + ε) + β
            γ and β start at the teacher's σ and μ, so IRM starts as the identity; training then reshapes q and k \
            for the 2-bit quantizer, aiming at the largest code entropy:
                H(Q(q')) → max
            This is the same 2-bit student with IRM, trained live. In q/k histograms, switch the stage between \
            "before IRM" and "after IRM" to see what it does to one head. Below, the numbers that moved against \
            the baseline of the step before.
            At our scale IRM alone gives no measurable accuracy gain (step 5): watch the spreads and entropies \
            rather than the accuracy.""";

    private static final String DGD_TEXT = """
            DGD distils from the full-precision teacher through the token similarities of q and k: for every \
            block, head and image an N × N matrix (N = 50 tokens), matched in the loss with weight λ = 0.1:
                G = q qᵀ / ‖q qᵀ‖_F
                L = L_task + λ Σ ‖G_T − G_S‖_F
            For the student, q is what its attention uses: after IRM and the quantizer; k likewise. The similarity tab shows \
            the quantity DGD matches for one head on the first probe image: the teacher's G, the student's, and \
            their difference; its readout is that image's ‖G_T − G_S‖_F.
            This student has IRM and DGD: the full Q-ViT. The loss curves draw the DGD term per block as it \
            trains (the baseline measures it too, without training on it); below, the numbers against the \
            baseline.
            At 4 bits DGD is what measurably helps at our scale; at 2 bits nothing does (step 5).""";
}
