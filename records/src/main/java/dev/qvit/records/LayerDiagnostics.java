package dev.qvit.records;

/**
 * Low-bit diagnostics of one quantized tensor of a student (a layer's weight or an activation), per cell.
 *
 * @param tensor      e.g. "blocks.0.attn.qkv.weight" or "blocks.0.attn.q"
 * @param sqnrDb      signal-to-quantization-noise ratio against the teacher's tensor, 10 log10(Σt² / Σ(s - t)²)
 * @param oscillation for weights, the share of integer codes that flipped back (changed in the direction opposite
 *                    to their previous change) per optimizer step over the last epoch; NaN for activations
 */
public record LayerDiagnostics(String tensor, double sqnrDb, double oscillation) {
}
