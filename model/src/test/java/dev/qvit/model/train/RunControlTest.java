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
        try (ParallelWorkers<ClassificationObjective> w = ClassificationObjective.workers(1, model)) {
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
    void cancelDuringAStepAbandonsItBetweenLayersWithoutUpdatingTheWeights() throws InterruptedException {
        // given the tiny model on 2 workers, batch 256, and a cancel that comes 30 % into the third step
        VisionTransformer model = VisionTransformer.create(VitConfig.tiny(), 0);
        RunControl control = new RunControl();
        double[] stepSeconds = new double[3];
        org.nd4j.linalg.api.ndarray.INDArray[] afterSecond = new org.nd4j.linalg.api.ndarray.INDArray[1];
        long[] cancelledAt = new long[1];
        TrainingListener cancelDuringThird = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                stepSeconds[(int) m.step()] = m.elapsedSeconds();
                if (m.step() == 1) {
                    afterSecond[0] = model.parameters().values().dup();
                    long delay = Math.round(300 * (stepSeconds[1] - stepSeconds[0]));
                    Thread canceller = new Thread(() -> {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            return;
                        }
                        cancelledAt[0] = System.nanoTime();
                        control.cancel();
                    });
                    canceller.start();
                }
            }
        };
        try (ParallelWorkers<ClassificationObjective> w = ClassificationObjective.workers(2, model)) {
            // when
            Trainer.Summary s = new Trainer(new TrainingConfig(1, 256, 1e-3, 0, 0, 0, 0, 0, false), w, model.parameters())
                    .run(FashionMnist.bundled().train().head(2048), FashionMnist.bundled().test().head(32),
                            cancelDuringThird, control);
            double stopSeconds = (System.nanoTime() - cancelledAt[0]) / 1e9;
            double stepTime = stepSeconds[1] - stepSeconds[0];
            // then the run ends well before the third step could have finished, and that step changed nothing
            assertThat(s.cancelled()).isTrue();
            assertThat(s.steps()).isEqualTo(2);
            assertThat(stopSeconds).as("seconds from cancel to the end of the run, a step takes %.3f s", stepTime)
                    .isLessThan(0.6 * stepTime);
            assertThat(model.parameters().values().equals(afterSecond[0])).isTrue();
        }
    }

    @Test
    void pauseDuringAStepAbandonsItAndResumeRunsItAgainWithTheSameResult() throws InterruptedException {
        // given two identical runs, one paused 20 ms into each of its steps and resumed 50 ms later
        Trainer.Summary plain = run(new RunControl(), false);
        Trainer.Summary paused = run(new RunControl(), true);
        // then both trained the same steps to the same losses
        assertThat(paused.cancelled()).isFalse();
        assertThat(paused.steps()).isEqualTo(plain.steps());
        assertThat(paused.last().trainLoss()).isEqualTo(plain.last().trainLoss());
        assertThat(paused.last().testAccuracy()).isEqualTo(plain.last().testAccuracy());
    }

    private static Trainer.Summary run(RunControl control, boolean pauseEachStep) throws InterruptedException {
        VisionTransformer model = VisionTransformer.create(VitConfig.tiny(), 5);
        TrainingListener pauser = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                if (pauseEachStep) {
                    Thread t = new Thread(() -> {
                        try {
                            Thread.sleep(20);
                            control.pause();
                            Thread.sleep(50);
                            control.resume();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    t.start();
                }
            }
        };
        try (ParallelWorkers<ClassificationObjective> w = ClassificationObjective.workers(2, model)) {
            return new Trainer(new TrainingConfig(1, 128, 1e-3, 0, 0, 0, 0, 3, true), w, model.parameters())
                    .run(FashionMnist.bundled().train().head(640), FashionMnist.bundled().test().head(256), pauser, control);
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
