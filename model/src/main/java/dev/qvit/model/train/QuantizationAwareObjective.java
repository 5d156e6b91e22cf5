package dev.qvit.model.train;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.records.DistillationLoss;
import dev.qvit.model.vit.AttentionTrace;
import dev.qvit.model.vit.QueryKeyGradient;
import dev.qvit.model.vit.Backbone;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * QAT of the quantized student from the FP teacher (method doc 5, 6): loss = 0.5 CE(student, labels)
 * + 0.5 CE(student, argmax teacher) [+ lambda * L_DGD]. The teacher runs in eval mode without gradients; DGD
 * gradients enter the student's attention through its quantized q and k. Worker thread only.
 */
public final class QuantizationAwareObjective implements TrainingObjective {
    private final Backbone student;
    private final Backbone teacher;
    private final List<Integer> heads;     // per attention block
    private final DistillationSettings settings;
    private final Buffers buffers;
    private final CrossEntropy crossEntropy;
    private final DistributionGuidedDistillation dgd;
    private double optimisedDistillation;
    /** lambda * dL_DGD / d(used q, k) per layer, this step's (reused list). */
    private final List<QueryKeyGradient> distillationGradients = new ArrayList<>();

    public QuantizationAwareObjective(Backbone student, Backbone teacher, DistillationSettings settings) {
        this.student = student;
        this.heads = student.headsPerBlock();
        this.teacher = teacher;
        this.settings = settings;
        this.buffers = student.parameters().buffers();
        this.crossEntropy = new CrossEntropy(buffers);
        this.dgd = new DistributionGuidedDistillation(settings.norm(), buffers);
    }

    @Override
    public SliceResult trainStep(float[] images, int[] labels, int count, long step) {
        INDArray x = input(images, count);
        int[] truth = ClassificationObjective.slice(labels, count);
        Backbone.Traced teacherPass = teacher.trace(x, false);
        int[] teacherPrediction = Predictions.argMax(teacherPass.logits());
        List<AttentionTrace> teacherAttention = teacherPass.attention();
        Backbone.Traced traced = student.trace(x, true);
        INDArray logits = traced.logits();
        INDArray targets = crossEntropy.mixedOneHot(truth, teacherPrediction, 0.5, logits.columns());
        double task = crossEntropy.forward(logits, targets);
        optimisedDistillation = 0;
        double[] distillation = measure(step) ? distill(traced.attention(), teacherAttention, count) : new double[0];
        double objective = task + (settings.enabled() ? settings.lambda() * optimisedDistillation : 0);
        student.backward(crossEntropy.backward(), settings.enabled() ? distillationGradients : null);
        return new SliceResult(objective * count, task * count, Predictions.correct(logits, truth, count), count,
                distillation);
    }

    private boolean measure(long step) {
        return settings.enabled() || step % settings.diagnosticEvery() == 0;
    }

    /**
     * Per layer, head and {q, k}: mean-over-images DGD terms (returned times count, for summing across workers;
     * all q terms, layer by layer, then all k terms); when DGD is on, lambda * gradient per layer goes to
     * {@link #distillationGradients} for the student's backward. In window attention a window's similarity matrix
     * counts as an image's does, so a layer's term is the mean over images x windows.
     */
    private double[] distill(List<AttentionTrace> s, List<AttentionTrace> t, int count) {
        boolean optimise = settings.enabled();
        int layers = heads.size();
        int total = heads.stream().mapToInt(Integer::intValue).sum();
        double[] sums = new double[2 * total];
        distillationGradients.clear();
        for (int l = 0, offset = 0; l < layers; offset += heads.get(l), l++) {
            INDArray dq = optimise ? buffers.get("dgd.dq." + l, s.get(l).usedQuery().shape()) : null;
            INDArray dk = optimise ? buffers.get("dgd.dk." + l, s.get(l).usedKey().shape()) : null;
            DistributionGuidedDistillation.Term qTerm = dgd.compute("q" + l, s.get(l).usedQuery(), t.get(l).query(),
                    settings.lambda(), dq);
            DistributionGuidedDistillation.Term kTerm = dgd.compute("k" + l, s.get(l).usedKey(), t.get(l).key(),
                    settings.lambda(), dk);
            optimisedDistillation += qTerm.total() + kTerm.total();                 // what the gradient is of
            double[] q = qTerm.perHead();                                           // per-head curves (head form)
            double[] k = kTerm.perHead();
            for (int h = 0; h < heads.get(l); h++) {
                sums[offset + h] = q[h] * count;
                sums[total + offset + h] = k[h] * count;
            }
            if (optimise) {
                distillationGradients.add(new QueryKeyGradient(dq, dk));
            }
        }
        return sums;
    }

    @Override
    public SliceResult evaluate(float[] images, int[] labels, int count) {
        INDArray logits = student.forward(input(images, count), false);
        int[] truth = ClassificationObjective.slice(labels, count);
        double loss = crossEntropy.forward(logits, crossEntropy.oneHot(truth, logits.columns()));
        return new SliceResult(loss * count, Predictions.correct(logits, truth, count), count);
    }

    @Override
    public ParameterSet parameters() {
        return student.parameters();
    }

    /** Frees the buffers of this slice's student and teacher replicas now. */
    @Override
    public void close() {
        student.parameters().releaseBuffers();
        teacher.parameters().releaseBuffers();
    }

    /** The distribution IRM's running statistics take this step's batch statistics. */
    @Override
    public void afterStep() {
        student.updateRunningStatistics();
    }

    /** The per-head record: every block with its own heads (Swin's stages differ). */
    @Override
    public DistillationLoss distillation(double[] means) {
        int lh = means.length / 2;
        double[] q = java.util.Arrays.copyOfRange(means, 0, lh);
        double[] k = java.util.Arrays.copyOfRange(means, lh, 2 * lh);
        return new DistillationLoss(heads.stream().mapToInt(Integer::intValue).toArray(), q, k);
    }

    public Backbone student() {
        return student;
    }

    public Backbone teacher() {
        return teacher;
    }

    private INDArray input(float[] images, int count) {
        return Predictions.copyInto(images,
                buffers.get("input", count, student.channels(), student.imageSize(), student.imageSize()));
    }
}
