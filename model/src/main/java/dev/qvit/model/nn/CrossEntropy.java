package dev.qvit.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean cross-entropy of softmax(logits) against target distributions (one-hot labels, or a mixture of
 * one-hot labels for hard distillation). The target arrays are one reused buffer per instance: a second call
 * to {@link #oneHot} or {@link #mixedOneHot} overwrites the first. Training thread only.
 */
public final class CrossEntropy {
    private final Buffers buffers;
    private INDArray probabilities;
    private INDArray targets;

    public CrossEntropy(Buffers buffers) {
        this.buffers = buffers;
    }

    /** Targets [B, C] with one 1 per row at {@code labels[i]}. */
    public INDArray oneHot(int[] labels, int classes) {
        float[] t = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            checkLabel(labels[i], classes);
            t[i * classes + labels[i]] = 1f;
        }
        INDArray out = buffers.get("targets", labels.length, classes);
        out.assign(Nd4j.createFromArray(t).reshape(labels.length, classes));
        return out;
    }

    /** Targets w onehot(a) + (1 - w) onehot(b): hard distillation mixes labels and teacher predictions. */
    public INDArray mixedOneHot(int[] a, int[] b, double w, int classes) {
        float[] t = new float[a.length * classes];
        for (int i = 0; i < a.length; i++) {
            checkLabel(a[i], classes);
            checkLabel(b[i], classes);
            t[i * classes + a[i]] += (float) w;
            t[i * classes + b[i]] += (float) (1 - w);
        }
        INDArray out = buffers.get("targets", a.length, classes);
        out.assign(Nd4j.createFromArray(t).reshape(a.length, classes));
        return out;
    }

    private static void checkLabel(int label, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
        }
    }

    /** loss = -mean_i sum_c targets[i, c] log softmax(logits)[i, c]. */
    public double forward(INDArray logits, INDArray targets) {
        this.targets = targets;
        INDArray logP = buffers.get("logp", logits.shape());
        Nd4j.exec(new LogSoftMax(logits, logP));
        probabilities = buffers.get("p", logits.shape());
        Nd4j.exec(new Exp(logP, probabilities));
        return -logP.mul(targets, buffers.get("terms", logits.shape())).sumNumber().doubleValue() / logits.rows();
    }

    /** dLogits = (softmax - targets) / B. */
    public INDArray backward() {
        INDArray d = probabilities.sub(targets, buffers.get("dlogits", probabilities.shape()));
        return d.divi(probabilities.rows());
    }

    public INDArray probabilities() {
        return probabilities;
    }
}
