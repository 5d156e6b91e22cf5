package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run stopped at a checkpoint and resumed from it ends with the weights and metrics of the same run never stopped,
 * bit for bit: the state is copied exactly, the random draws are replayed, the sums go on in the same order.
 */
class ResumeTest {
    private static final VitConfig NARROW = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);

    private record Outcome(TrainingState end, List<StepMetrics> steps, List<EpochMetrics> epochs,
                           List<TrainingState> checkpoints) {
    }

    private static Outcome run(ExperimentSpec spec, ExperimentRun.Teacher teacher, int threads, TrainingState from,
                               int checkpointEvery) throws InterruptedException {
        List<TrainingState> saved = new ArrayList<>();
        List<StepMetrics> steps = new ArrayList<>();
        List<EpochMetrics> epochs = new ArrayList<>();
        RunOptions options = RunOptions.headless(threads)
                .checkpointingTo((s, model, state) -> {
                    saved.add(state);
                    return "memory";
                }, checkpointEvery);
        ExperimentRun run = ExperimentRun.prepare(spec, teacher, options);
        if (from != null) {
            run.resumingFrom(from);
        }
        run.run(RunEvent.Listener.of(new RunEvent.Handler() {
            @Override
            public void step(RunEvent.Step e) {
                steps.add(e.metrics());
            }

            @Override
            public void epoch(RunEvent.Epoch e) {
                epochs.add(e.metrics());
            }
        }), new RunControl());
        return new Outcome(saved.get(saved.size() - 1), steps, epochs, saved);
    }

    @ParameterizedTest(name = "{0}, resumed after checkpoint {1}")
    @CsvSource({"teacher, 1", "teacher, 2", "student, 1", "student, 3"})
    void aResumedRunEndsBitForBitAsTheUninterruptedOne(String kind, int checkpoint) throws Exception {
        // given a short run (2 epochs of 3 steps, augmented, shuffled), checkpointed every 2 steps and at epoch ends
        ExperimentSpec.Data data = new ExperimentSpec.Data("bundled", 300, 100);
        ExperimentRun.Teacher teacher = new ExperimentRun.Teacher(VisionTransformer.create(NARROW, 5), Double.NaN);
        ExperimentSpec spec = kind.equals("teacher")
                ? ExperimentSpec.teacher(NARROW, data, 2, 3).withTraining(
                        ExperimentSpec.teacherRecipe(2, 1e-3, 3).withBatchSize(100))
                : ExperimentSpec.student(NARROW, data, "test",
                        QuantizationConfig.of(2, QuantizationConfig.Rectification.DISTRIBUTION),
                        DistillationSettings.on(0.1), 2, 3).withTraining(ExperimentSpec.qatRecipe(2, 2e-4, 3)
                        .withBatchSize(100));
        Outcome whole = run(spec, teacher, 2, null, 2);
        // checkpoints after steps 2, 3 (epoch end), 4 and 6 (epoch end)
        assertThat(whole.checkpoints()).extracting(s -> s.progress().step()).containsExactly(2L, 3L, 4L, 6L);
        TrainingState stop = whole.checkpoints().get(checkpoint - 1);
        // when a new process (new model, new workers, one thread) goes on from that checkpoint
        Outcome resumed = run(spec, teacher, 1, stop, 2);
        // then the weights, optimizer and quantizers end bit for bit the same
        assertThat(resumed.end()).isEqualTo(whole.end());
        // and every step after the checkpoint and every epoch reports the same numbers (timing aside)
        List<StepMetrics> after = whole.steps().subList((int) stop.progress().step(), whole.steps().size());
        assertThat(resumed.steps()).hasSameSizeAs(after);
        for (int i = 0; i < after.size(); i++) {
            StepMetrics a = after.get(i);
            StepMetrics b = resumed.steps().get(i);
            assertThat(b.step()).isEqualTo(a.step());
            assertThat(b.loss()).isEqualTo(a.loss());
            assertThat(b.accuracy()).isEqualTo(a.accuracy());
            assertThat(b.gradientNorm()).isEqualTo(a.gradientNorm());
            assertThat(b.learningRate()).isEqualTo(a.learningRate());
            assertThat(b.distillation()).usingRecursiveComparison().isEqualTo(a.distillation());
        }
        EpochMetrics lastWhole = whole.epochs().get(whole.epochs().size() - 1);
        EpochMetrics lastResumed = resumed.epochs().get(resumed.epochs().size() - 1);
        assertThat(lastResumed.epoch()).isEqualTo(lastWhole.epoch());
        assertThat(lastResumed.trainLoss()).isEqualTo(lastWhole.trainLoss());
        assertThat(lastResumed.trainAccuracy()).isEqualTo(lastWhole.trainAccuracy());
        assertThat(lastResumed.testLoss()).isEqualTo(lastWhole.testLoss());
        assertThat(lastResumed.testAccuracy()).isEqualTo(lastWhole.testAccuracy());
        assertThat(resumed.end().progress().history()).hasSize(2);
    }
}
