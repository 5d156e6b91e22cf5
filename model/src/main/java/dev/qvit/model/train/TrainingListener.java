package dev.qvit.model.train;

import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;

/** Receives progress on the training thread; implementations must return quickly (hand off, never block). */
public interface TrainingListener {

    default void onStep(StepMetrics metrics) {
    }

    default void onEpoch(EpochMetrics metrics) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
