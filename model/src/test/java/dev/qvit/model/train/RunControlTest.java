package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.StepMetrics;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void aStepPausedAfterItsIrmStatisticsRunsAgainAndCountsOnceInTheRunningStatistics() throws InterruptedException {
        // given two identical distribution-IRM runs; the second is paused in step 1, just after the first slice
        // summed its first batch statistics (so that the abandoned attempt had seen the batch), and resumed
        Paused plain = quantizedRun(false);
        Paused paused = quantizedRun(true);
        // then the paused step was run again, and both runs end with the same weights and running statistics
        assertThat(paused.reductions()).as("the paused step ran again").isGreaterThan(plain.reductions());
        assertThat(paused.weights()).isEqualTo(plain.weights());
    }

    private record Paused(float[] weights, int reductions) {
    }

    private static Paused quantizedRun(boolean pauseInSecondStep) throws InterruptedException {
        VitConfig config = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
        VisionTransformer teacher = VisionTransformer.create(config, 1);
        var train = FashionMnist.bundled().train().head(96);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.DISTRIBUTION), BatchLoader.firstImages(train, 32));
        RunControl control = new RunControl();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger reductions = new AtomicInteger();
        DistillationSettings dgd = DistillationSettings.on(0.1);
        try (ParallelWorkers<QuantizationAwareObjective> workers = new ParallelWorkers<>(2, (slice, reduction) -> {
            VisionTransformer s = slice == 0 ? student : VisionTransformer.replicaOf(student);
            s.synchronizeBatchStatistics(partial -> {
                double[] total = reduction.sum(partial);
                reductions.incrementAndGet();
                if (slice == 0 && armed.compareAndSet(true, false)) {
                    control.pause();                                     // interrupts this slice's thread too
                    new Thread(() -> {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                        control.resume();
                    }).start();
                }
                return total;
            });
            return new QuantizationAwareObjective(s, slice == 0 ? teacher : VisionTransformer.replicaOf(teacher), dgd);
        })) {
            TrainingListener armAfterFirstStep = new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    armed.set(pauseInSecondStep && m.step() == 0);
                }
            };
            QuantizationAwareTraining.trainer(new TrainingConfig(1, 32, 1e-3, 0, 0, 0, 0, 7, true), workers)
                    .run(train, FashionMnist.bundled().test().head(16), armAfterFirstStep, control);
        }
        return new Paused(student.parameters().values().dup().data().asFloat(), reductions.get());
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
    void aCancelDuringAProbeOnTheTrainingThreadStopsTheProbeAndTheRun() throws InterruptedException {
        // given a quantized student whose training listener probes its quantizers after every step, and a cancel
        // that arrives while the first probe runs
        VitConfig config = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
        var train = FashionMnist.bundled().train().head(96);
        VisionTransformer teacher = VisionTransformer.create(config, 1);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.NONE), BatchLoader.firstImages(train, 32));
        RunControl control = new RunControl();
        AtomicInteger probesFinished = new AtomicInteger();
        TrainingListener probing = new TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                try (InterruptOnCancel cancellable = new InterruptOnCancel(control)) {
                    control.cancel();
                    student.quantizerSnapshots();
                    probesFinished.incrementAndGet();
                }
            }
        };
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(1, student, teacher, new DistillationSettings(false, 0.1,
                             DistributionGuidedDistillation.Norm.HEAD, 10))) {
            // when the run is trained
            Trainer.Summary s = QuantizationAwareTraining.trainer(new TrainingConfig(1, 32, 1e-3, 0, 0, 0, 0, 0,
                    false), workers).run(train, FashionMnist.bundled().test().head(32), probing, control);
            // then the probe stopped half-way, the run ended cancelled after its first step, and the training
            // thread carries no interrupt into what comes next
            assertThat(probesFinished).hasValue(0);
            assertThat(s.cancelled()).isTrue();
            assertThat(s.steps()).isEqualTo(1);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @Test
    void aPauseDoesNotInterruptAProbeAndACancelAfterItDoesNotReachTheThread() {
        RunControl control = new RunControl();
        try (InterruptOnCancel cancellable = new InterruptOnCancel(control)) {
            control.pause();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupted by a pause").isFalse();
            control.cancel();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupted by a cancel").isTrue();
        }
        assertThat(Thread.currentThread().isInterrupted()).as("interrupt left after the probe").isFalse();
        control.cancel();
        assertThat(Thread.currentThread().isInterrupted()).as("interrupted once the probe ended").isFalse();
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
