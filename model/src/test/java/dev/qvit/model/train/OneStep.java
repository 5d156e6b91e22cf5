package dev.qvit.model.train;

import dev.qvit.model.data.ImageDataset;
import dev.qvit.records.StepMetrics;
import java.util.ArrayList;
import java.util.List;

/** Runs a trainer for exactly the steps of one epoch over {@code batch} (in order), as a real run takes them. */
final class OneStep {
    private OneStep() {
    }

    /** The metrics of the epoch's steps; the epoch's evaluation runs on the first two images. */
    static List<StepMetrics> run(Trainer trainer, ImageDataset batch) {
        List<StepMetrics> steps = new ArrayList<>();
        try {
            trainer.run(batch, batch.head(2), new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    steps.add(m);
                }
            }, new RunControl());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return steps;
    }

    /** One epoch of one batch, no shuffling and no augmentation: one optimiser step at learning rate {@code lr}. */
    static TrainingConfig config(int batch, double lr) {
        return new TrainingConfig(1, batch, lr, 0, 0, 0, 0, 0, false, false);
    }
}
