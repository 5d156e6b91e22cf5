package dev.qvit.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small helpers between Java arrays and ND4J batches. */
public final class Predictions {
    private Predictions() {
    }

    /** Number of rows of {@code logits} whose arg-max equals the label. */
    public static int correct(INDArray logits, int[] labels, int count) {
        int[] predicted = argMax(logits);
        int correct = 0;
        for (int i = 0; i < count; i++) {
            if (predicted[i] == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** Arg-max of each row. */
    public static int[] argMax(INDArray logits) {
        return Nd4j.argMax(logits, 1).toIntVector();
    }

    /** Copies the first {@code target.length()} values of {@code values} into {@code target}. */
    public static INDArray copyInto(float[] values, INDArray target) {
        int n = (int) target.length();
        if (target.dataType() == DataType.FLOAT && values.length == n) {
            target.data().setData(values);
            return target;
        }
        float[] exact = values.length == n ? values : java.util.Arrays.copyOf(values, n);
        return target.assign(Nd4j.createFromArray(exact).castTo(target.dataType()).reshape(target.shape()));
    }
}
