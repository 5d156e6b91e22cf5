package dev.qvit.app.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.StepMetrics;
import org.junit.jupiter.api.Test;

class TrainingTaskTest {

    private static StepMetrics step(double loss, double taskLoss) {
        return new StepMetrics(12, 48, 0, loss, taskLoss, 0.5, 2e-4, 1.0, 27.6, 26, null);
    }

    @Test
    void theStatusLineNamesTheTaskLossAndTheDistillationObjectiveApart() {
        // the case of the issue: task loss 0.58, objective task + λ·DGD 2.302
        assertThat(TrainingTask.status(step(2.302, 0.58)))
                .isEqualTo("epoch 1 · step 13/48 · task loss 0.580 · task + λ·DGD 2.302 · 28 img/s · ETA 1:10");
    }

    @Test
    void withoutDistillationOnlyTheTaskLossIsShown() {
        assertThat(TrainingTask.status(step(0.58, 0.58)))
                .isEqualTo("epoch 1 · step 13/48 · task loss 0.580 · 28 img/s · ETA 1:10");
    }
}
