package dev.qvit.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/** Row-wise softmax of a [rows, cols] matrix and its backward pass. */
public final class Softmax {
    private Softmax() {
    }

    /** out = softmax(x) along the last dimension (max-subtracted inside the ND4J op). */
    public static INDArray forward(INDArray x, INDArray out) {
        Nd4j.exec(new SoftMax(x, out, 1));
        return out;
    }

    /**
     * dx = p * (dp - sum_j dp_j p_j), written into dx; {@code rowSums} is a [rows] scratch buffer.
     */
    public static INDArray backward(INDArray p, INDArray dp, INDArray dx, INDArray rowSums) {
        dp.mul(p, dx);
        Tensors.sumOfRows(dx, rowSums);
        Tensors.subColumn(dp, rowSums, dx);
        return dx.muli(p);
    }
}
