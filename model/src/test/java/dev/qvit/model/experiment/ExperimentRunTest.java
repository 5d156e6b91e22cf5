package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunTest {
    @TempDir
    Path dir;

    /** Four blocks as the tiny model, much narrower: the runs take seconds. */
    private static final VitConfig NARROW = new VitConfig(28, 7, 1, 16, 4, 2, 32, 10);

    private static ExperimentSpec student(int images, int epochs) {
        return ExperimentSpec.student(NARROW, new ExperimentSpec.Data("bundled", images, 200), "test",
                QuantizationConfig.of(2, QuantizationConfig.Rectification.TOKEN), DistillationSettings.on(0.1), epochs, 0);
    }

    private static ExperimentRun.Teacher teacher() {
        return new ExperimentRun.Teacher(VisionTransformer.create(NARROW, 1), 0.5);
    }

    /** Records everything a run reports, in order. */
    private static final class Recorder implements RunEvent.Listener {
        final List<RunEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void on(RunEvent e) {
            events.add(e);
        }

        <T extends RunEvent> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    @Test
    void aStudentRunReportsItsStartStepsProbesEpochsAndEndInOrder() throws Exception {
        Recorder r = new Recorder();
        ExperimentRun.Result result = ExperimentRun.prepare(student(256, 1), teacher(),
                RunOptions.headless(2).probingEvery(0)).run(r, new RunControl());

        assertThat(r.events.get(0)).isInstanceOf(RunEvent.Started.class);
        assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(RunEvent.Finished.class);
        RunEvent.Started start = r.of(RunEvent.Started.class).get(0);
        assertThat(start.teacher()).isNotNull();
        assertThat(start.images().count()).isEqualTo(30);
        assertThat(start.totalSteps()).isEqualTo(2);
        assertThat(start.spec().label()).isEqualTo("W2A2 IRM(token)+DGD");
        assertThat(r.of(RunEvent.Step.class)).hasSize(2).allMatch(s -> s.metrics().distillation() != null);
        assertThat(r.of(RunEvent.Epoch.class)).hasSize(1);
        // probe interval 0: a snapshot after every step
        List<RunEvent.Probed> probes = r.of(RunEvent.Probed.class);
        assertThat(probes).hasSize(2);
        var model = probes.get(1).snapshot().model();
        assertThat(model.quantized()).isTrue();
        assertThat(model.quantizer(Tensor.QUERY.quantizerName(3))).isPresent();
        // 2-bit queries after the quantizer take at most 4 values per head
        var quantized = model.distribution(0, 0, Tensor.QUERY, Stage.QUANTIZED).histogram().counts();
        assertThat(java.util.Arrays.stream(quantized).filter(c -> c > 0).count()).isLessThanOrEqualTo(4);
        assertThat(result.model().quantization().bits()).isEqualTo(2);
        assertThat(result.summary().cancelled()).isFalse();
    }

    @Test
    void probesRunAlongsideTheNextStepInOrderAndChangeNoNumber() throws Exception {
        Recorder probed = new Recorder();
        ExperimentRun.Result withProbes = ExperimentRun.prepare(student(512, 2), teacher(),
                RunOptions.headless(2).probingEvery(0)).run(probed, new RunControl());
        ExperimentRun.Result headless = ExperimentRun.prepare(student(512, 2), teacher(),
                RunOptions.headless(2)).run(new Recorder(), new RunControl());

        // step s's probe is reported after step s and before step s + 1 (or the epoch's end)
        List<String> order = probed.events.stream().map(e -> e instanceof RunEvent.Step s ? "S" + s.metrics().step()
                : e instanceof RunEvent.Probed p ? "P" + p.snapshot().step()
                : e instanceof RunEvent.Epoch ep ? "E" + ep.metrics().epoch() : null)
                .filter(java.util.Objects::nonNull).toList();
        assertThat(order).containsExactly("S0", "P0", "S1", "P1", "S2", "P2", "S3", "P3", "E0",
                "S4", "P4", "S5", "P5", "S6", "P6", "S7", "P7", "E1");
        // probing the weights while the workers step reads them only: the run's numbers are the headless run's
        assertThat(withProbes.model().parameters().values().data().asFloat())
                .containsExactly(headless.model().parameters().values().data().asFloat());
        var a = withProbes.summary().last();
        var b = headless.summary().last();
        assertThat(new double[] {a.trainLoss(), a.testLoss(), a.testAccuracy()})
                .containsExactly(b.trainLoss(), b.testLoss(), b.testAccuracy());
    }

    @Test
    void aHeadlessRunNeitherProbesNorSaves() throws Exception {
        Recorder r = new Recorder();
        ExperimentRun.prepare(student(128, 1), teacher(), RunOptions.headless(1)).run(r, new RunControl());
        assertThat(r.of(RunEvent.Probed.class)).isEmpty();
        assertThat(r.of(RunEvent.Checkpointed.class)).isEmpty();
        assertThat(r.of(RunEvent.Started.class).get(0).teacher()).isNull();
    }

    @Test
    void checkpointsAreSavedEveryNStepsAndAtEveryEpochEnd() throws Exception {
        Path file = dir.resolve("student.qvit");
        ExperimentSpec spec = student(256, 2);                                     // 2 steps per epoch
        Recorder r = new Recorder();
        ExperimentRun.prepare(spec, teacher(), RunOptions.headless(2)
                .checkpointingTo(TrainedModelFile.checkpointer(file), 1)).run(r, new RunControl());
        // every step, and an epoch's last step once
        assertThat(r.of(RunEvent.Checkpointed.class)).extracting(RunEvent.Checkpointed::steps)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(Files.exists(file)).isTrue();
        var header = dev.qvit.model.io.Checkpoint.readHeader(file);
        assertThat(header.metadata().path("label").asText()).isEqualTo("W2A2 IRM(token)+DGD");
        assertThat(ExperimentSpec.fromJson(header.metadata().path("spec").toString())).isEqualTo(spec);
    }

    @Test
    void cancelStopsTheRunWithinAStepAndSaysSo() throws Exception {
        RunControl control = new RunControl();
        Recorder r = new Recorder() ;
        RunEvent.Listener cancelAtStep2 = e -> {
            r.on(e);
            if (e instanceof RunEvent.Step s && s.metrics().step() == 2) {
                control.cancel();
            }
        };
        ExperimentRun.Result result = ExperimentRun.prepare(student(2048, 2), teacher(),
                RunOptions.headless(2).probingEvery(1000)).run(cancelAtStep2, control);
        assertThat(result.summary().cancelled()).isTrue();
        assertThat(r.of(RunEvent.Step.class)).hasSize(3);
        assertThat(r.of(RunEvent.Epoch.class)).isEmpty();
        assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(RunEvent.Cancelled.class);
    }

    @Test
    void refusesAStudentWithoutTeacherOrOfAnotherSizeOrAnInvalidSpec() {
        assertThatThrownBy(() -> ExperimentRun.prepare(student(256, 1), null, RunOptions.headless(1)))
                .isInstanceOf(InvalidExperimentException.class).hasMessageContaining("no teacher");
        ExperimentSpec small = ExperimentSpec.student(VitConfig.small(), new ExperimentSpec.Data("bundled", 256, 0),
                "test", QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE),
                DistillationSettings.of(false, 0.1, dev.qvit.model.quant.DistributionGuidedDistillation.Norm.HEAD), 1, 0);
        assertThatThrownBy(() -> ExperimentRun.prepare(small, teacher(), RunOptions.headless(1)))
                .hasMessageContaining("train a small teacher first");
        ExperimentSpec bad = small.withStudent(QuantizationConfig.of(5, QuantizationConfig.Rectification.NONE),
                DistillationSettings.on(-1));
        assertThatThrownBy(() -> ExperimentRun.prepare(bad, teacher(), RunOptions.headless(1)))
                .isInstanceOf(InvalidExperimentException.class)
                .hasMessageContaining("bits must be 2, 3, 4 or 8, got 5")
                .hasMessageContaining("λ (the DGD weight) must be between 0 and 100, got -1.0");
    }

    @Test
    void probingNeverTakesMoreThanATwentiethOfTheRun() {
        // the asked interval while probes are cheap
        assertThat(ExperimentRun.probeGap(700, 10)).isEqualTo(700);
        // a probe of 100 ms is followed by at least 1.9 s of training: 100 / (100 + 1900) = 5 %
        assertThat(ExperimentRun.probeGap(700, 100)).isEqualTo(1900);
        assertThat(100.0 / (100 + ExperimentRun.probeGap(700, 100))).isEqualTo(0.05);
        // 0: after every step, whatever a probe costs (the tests that keep every snapshot)
        assertThat(ExperimentRun.probeGap(0, 500)).isZero();
    }
}
