package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import org.junit.jupiter.api.Test;

class RunControlTest {

    @Test
    void cancelStopsTheRunBetweenBatches() throws InterruptedException {
        // given a run that cancels itself at its third step
        VisionTransformer model = VisionTransformer.create(new VitConfig(28, 7, 1, 16, 1, 2, 32, 10), 0);
        RunControl control = new RunControl();
        TrainingListener cancelAtThird = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (m.step() == 2) {
                    control.cancel();
                }
            }
        };
        try (ParallelWorkers<ClassificationObjective> w = new ParallelWorkers<>(1, k -> new ClassificationObjective(model))) {
            // when
            Trainer.Summary s = new Trainer(new TrainingConfig(1, 16, 1e-3, 0, 0, 0, 0, 0, false), w, model.parameters())
                    .run(FashionMnist.bundled().train().head(320), FashionMnist.bundled().test().head(32), cancelAtThird, control);
            // then
            assertThat(s.cancelled()).isTrue();
            assertThat(s.steps()).isEqualTo(3);
            assertThat(s.epochs()).isEmpty();
        }
    }

    @Test
    void pausedRunWaitsUntilResumed() throws InterruptedException {
        RunControl control = new RunControl();
        control.pause();
        Thread resumer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            control.resume();
        });
        long start = System.nanoTime();
        resumer.start();
        assertThat(control.awaitRunnable()).isTrue();
        assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(90);
    }
}
