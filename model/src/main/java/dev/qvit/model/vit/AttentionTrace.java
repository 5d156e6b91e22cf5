package dev.qvit.model.vit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one attention forward computed that distillation and the probes read: views of the layer's buffers, valid
 * until its next forward. In full precision the rectified and used tensors are the raw ones.
 *
 * @param query          raw q [B, H, N, d]
 * @param key            raw k [B, H, N, d]
 * @param rectifiedQuery q after IRM (raw q without IRM), [B, H, N, d]
 * @param rectifiedKey   k after IRM
 * @param usedQuery      the q the scores used: after IRM and its quantizer, [B, H, N, d]
 * @param usedKey        the k the scores used
 * @param attention      softmax probabilities before their quantizer, [B, H, N, N]
 * @param usedAttention  the probabilities A v used: after their quantizer, [B, H, N, N]
 */
public record AttentionTrace(INDArray query, INDArray key, INDArray rectifiedQuery, INDArray rectifiedKey,
                             INDArray usedQuery, INDArray usedKey, INDArray attention, INDArray usedAttention) {
}
