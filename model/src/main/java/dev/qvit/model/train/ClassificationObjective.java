package dev.qvit.model.train;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.vit.Backbone;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Full-precision training: mean cross-entropy against the labels. Worker thread only. */
public final class ClassificationObjective implements TrainingObjective {
    private final Backbone model;
    private final Buffers buffers;
    private final CrossEntropy crossEntropy;

    public ClassificationObjective(Backbone model) {
        this.model = model;
        this.buffers = model.parameters().buffers();
        this.crossEntropy = new CrossEntropy(buffers);
    }

    @Override
    public SliceResult trainStep(float[] images, int[] labels, int count, long step) {
        INDArray logits = model.forward(input(images, count), true);
        double loss = crossEntropy.forward(logits, crossEntropy.oneHot(slice(labels, count), logits.columns()));
        model.backward(crossEntropy.backward());
        return new SliceResult(loss * count, Predictions.correct(logits, labels, count), count);
    }

    @Override
    public SliceResult evaluate(float[] images, int[] labels, int count) {
        INDArray logits = model.forward(input(images, count), false);
        double loss = crossEntropy.forward(logits, crossEntropy.oneHot(slice(labels, count), logits.columns()));
        return new SliceResult(loss * count, Predictions.correct(logits, labels, count), count);
    }

    @Override
    public ParameterSet parameters() {
        return model.parameters();
    }

    /** Slices of {@code model} (its replicas) for training or evaluating it with {@code threads} cores. */
    public static ParallelWorkers<ClassificationObjective> workers(int threads, Backbone model) {
        return new ParallelWorkers<>(threads, (slice, reduction) -> {
            Backbone replica = slice == 0 ? model : model.replica();
            replica.synchronizeBatchStatistics(reduction);
            return new ClassificationObjective(replica);
        });
    }

    @Override
    public void afterStep() {
        model.updateRunningStatistics();
    }

    public Backbone model() {
        return model;
    }

    private INDArray input(float[] images, int count) {
        return Predictions.copyInto(images,
                buffers.get("input", count, model.channels(), model.imageSize(), model.imageSize()));
    }

    static int[] slice(int[] labels, int count) {
        if (labels.length == count) {
            return labels;
        }
        int[] out = new int[count];
        System.arraycopy(labels, 0, out, 0, count);
        return out;
    }
}
