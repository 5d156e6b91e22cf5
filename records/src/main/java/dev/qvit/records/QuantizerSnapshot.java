package dev.qvit.records;

import dev.qvit.records.CodeUsage;
import java.util.List;

/**
 * One LSQ quantizer after a forward pass: its learned steps (and zero points), and how the batch used its codes,
 * overall and per channel (per head for q, k, v and attention).
 *
 * @param name       parameter prefix, e.g. "blocks.0.attn.q_quant"
 * @param steps      step size per channel
 * @param zeroPoints learned zero point per channel (empty for weights)
 */
public record QuantizerSnapshot(String name, int bits, boolean signed, double[] steps, double[] zeroPoints,
                                CodeUsage usage, List<CodeUsage> perChannel) {

    public QuantizerSnapshot {
        steps = steps.clone();
        zeroPoints = zeroPoints.clone();
        perChannel = List.copyOf(perChannel);
    }

    @Override
    public double[] steps() {
        return steps.clone();
    }

    @Override
    public double[] zeroPoints() {
        return zeroPoints.clone();
    }
}
