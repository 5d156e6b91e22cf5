package dev.qvit.app.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.LayerProbe.Stage;
import dev.qvit.model.snapshot.ProbeSnapshot;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.snapshot.Tensor;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TrainingJobTest {

    private static RunSettings student(int images, int epochs) {
        return new RunSettings(RunSettings.Kind.STUDENT, "tiny", 2, true, "token", true, 0.1, epochs, 2e-4, 0,
                "bundled", images, 2);
    }

    /** Records everything a run reports. */
    private static class Recorder implements TrainingJob.Observer {
        final List<TrainingJob.RunStart> starts = new CopyOnWriteArrayList<>();
        final List<StepMetrics> steps = new CopyOnWriteArrayList<>();
        final List<ProbeSnapshot> snapshots = new CopyOnWriteArrayList<>();
        final List<EpochMetrics> epochs = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(TrainingJob.RunStart start) {
            starts.add(start);
        }

        @Override
        public void onStep(StepMetrics metrics) {
            steps.add(metrics);
        }

        @Override
        public void onSnapshot(ProbeSnapshot snapshot) {
            snapshots.add(snapshot);
        }

        @Override
        public void onEpoch(EpochMetrics metrics) {
            epochs.add(metrics);
        }
    }

    @Test
    void studentRunReportsStepsEpochsAndProbeSnapshotsOfTheQuantizedModel() throws Exception {
        VisionTransformer teacher = VisionTransformer.create(VitConfig.tiny(), 1);
        Recorder r = new Recorder();
        TrainingJob.Result result = new TrainingJob(student(256, 1), teacher, 0.5, 0).run(r, new RunControl());

        assertThat(r.starts).hasSize(1);
        assertThat(r.starts.get(0).teacher()).isNotNull();
        assertThat(r.starts.get(0).images().count()).isEqualTo(30);
        assertThat(r.steps).hasSize(2);
        assertThat(r.steps).allMatch(m -> m.distillation() != null);
        assertThat(r.epochs).hasSize(1);
        // probe interval 0: a snapshot after every step
        assertThat(r.snapshots).hasSize(2);
        var model = r.snapshots.get(1).model();
        assertThat(model.quantized()).isTrue();
        assertThat(model.quantizer(Tensor.QUERY.quantizerName(3))).isPresent();
        // 2-bit queries after the quantizer take at most 4 values per head
        var quantized = model.distribution(0, 0, Tensor.QUERY, Stage.QUANTIZED).histogram().counts();
        assertThat(java.util.Arrays.stream(quantized).filter(c -> c > 0).count()).isLessThanOrEqualTo(4);
        assertThat(result.model().quantization().bits()).isEqualTo(2);
        assertThat(result.summary().cancelled()).isFalse();
    }

    @Test
    void cancelStopsTheRunWithinAStep() throws Exception {
        VisionTransformer teacher = VisionTransformer.create(VitConfig.tiny(), 1);
        RunControl control = new RunControl();
        Recorder r = new Recorder() {
            @Override
            public void onStep(StepMetrics metrics) {
                super.onStep(metrics);
                if (metrics.step() == 2) {
                    control.cancel();
                }
            }
        };
        TrainingJob.Result result = new TrainingJob(student(2048, 2), teacher, 0.5, 1000).run(r, control);
        assertThat(result.summary().cancelled()).isTrue();
        assertThat(r.steps).hasSize(3);
        assertThat(r.epochs).isEmpty();
    }

    @Test
    void refusesAStudentWithoutTeacherOrOfAnotherSize() {
        assertThatThrownBy(() -> new TrainingJob(student(256, 1), null, Double.NaN, 0))
                .hasMessageContaining("no teacher");
        RunSettings small = new RunSettings(RunSettings.Kind.STUDENT, "small", 4, false, "token", false, 0.1, 1, 2e-4,
                0, "bundled", 256, 1);
        VisionTransformer tiny = VisionTransformer.create(VitConfig.tiny(), 1);
        assertThatThrownBy(() -> new TrainingJob(small, tiny, Double.NaN, 0).run(new Recorder(), new RunControl()))
                .hasMessageContaining("train a small teacher first");
        RunSettings bad = new RunSettings(RunSettings.Kind.STUDENT, "tiny", 5, false, "token", false, -1, 1, 2e-4,
                0, "bundled", 256, 1);
        assertThat(bad.problems()).containsKeys("bits", "lambda");
    }
}
