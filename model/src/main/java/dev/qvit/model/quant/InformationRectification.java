package dev.qvit.model.quant;

import dev.qvit.model.nn.BatchReduction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Information Rectification Module (Q-ViT section 3.2): re-normalises queries or keys [B, H, N, d] with learnable
 * gamma/beta before their quantizer, so that the quantized codes carry maximal entropy. Training thread only.
 */
public interface InformationRectification {

    /** q [B, H, N, d] -> rectified q [B, H, N, d] (a reused buffer). */
    INDArray forward(INDArray x, boolean training);

    /** Gradient with respect to the rectified values -> gradient with respect to the input; sets gamma/beta. */
    INDArray backward(INDArray dy);

    /** How statistics over the batch are summed across data-parallel slices (only forms with batch statistics). */
    default void synchronize(BatchReduction reduction) {
    }

    /** Takes the last training batch's statistics into running averages, once per step (forms that keep them). */
    default void updateRunningStatistics() {
    }
}
