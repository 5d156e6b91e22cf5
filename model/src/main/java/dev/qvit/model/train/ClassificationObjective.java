package dev.qvit.model.train;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.CrossEntropy;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Full-precision training: mean cross-entropy against the labels. Worker thread only. */
public final class ClassificationObjective implements TrainingObjective {
    private final VisionTransformer model;
    private final Buffers buffers;
    private final CrossEntropy crossEntropy;

    public ClassificationObjective(VisionTransformer model) {
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
    public static ParallelWorkers<ClassificationObjective> workers(int threads, VisionTransformer model) {
        return new ParallelWorkers<>(threads, (slice, reduction) -> {
            VisionTransformer replica = slice == 0 ? model : VisionTransformer.replicaOf(model);
            replica.synchronizeBatchStatistics(reduction);
            return new ClassificationObjective(replica);
        });
    }

    @Override
    public void afterStep() {
        model.updateRunningStatistics();
    }

    public VisionTransformer model() {
        return model;
    }

    private INDArray input(float[] images, int count) {
        VitConfig c = model.config();
        return Predictions.copyInto(images, buffers.get("input", count, c.channels(), c.imageSize(), c.imageSize()));
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
