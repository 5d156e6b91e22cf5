package dev.qvit.records;

/**
 * The model being trained, probed at one training step: what the workbench's step slider replays.
 *
 * @param step  0-based global step after which the probe ran
 * @param epoch 0-based epoch
 * @param model summary of the probe pass
 */
public record ProbeSnapshot(long step, int epoch, ModelSnapshot model) {
}
