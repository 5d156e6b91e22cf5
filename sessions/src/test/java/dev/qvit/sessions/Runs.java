package dev.qvit.sessions;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.swin.SwinTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Short real runs into sessions, for the tests. */
final class Runs {
    static final VitConfig NARROW = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
    static final ExperimentRun.Teacher TEACHER = new ExperimentRun.Teacher(VisionTransformer.create(NARROW, 5), 0.5);

    /** 14x14 tokens in 2x2 windows of 7 (shifted on the second block), then one 7x7 window of 2 heads. */
    static final SwinConfig SWIN = new SwinConfig(28, 2, 1, 8, List.of(2, 1), List.of(1, 2), 7, 2, 10);
    static final ExperimentRun.Teacher SWIN_TEACHER = new ExperimentRun.Teacher(SwinTransformer.create(SWIN, 5), 0.5);

    private Runs() {
    }

    /** As {@link #student()}, of the small Swin teacher. */
    static ExperimentSpec swinStudent() {
        return student().withModel(SWIN);
    }

    /** A 2-bit IRM+DGD student: 2 epochs of 3 steps of 100 augmented images. */
    static ExperimentSpec student() {
        return ExperimentSpec.student(NARROW, new ExperimentSpec.Data("bundled", 300, 100), "test",
                QuantizationConfig.of(2, QuantizationConfig.Rectification.DISTRIBUTION), DistillationSettings.on(0.1),
                2, 3).withTraining(ExperimentSpec.qatRecipe(2, 2e-4, 3).withBatchSize(100));
    }

    /** Runs {@code spec} into {@code session} (probing every step, checkpoint every 2 steps), cancelled after step {@code stopAfter} (-1: never). */
    static List<RunEvent> run(Session session, ExperimentSpec spec, TrainingState from, long stopAfter)
            throws InterruptedException {
        return run(session, spec, spec.model() instanceof SwinConfig ? SWIN_TEACHER : TEACHER, from, stopAfter);
    }

    static List<RunEvent> run(Session session, ExperimentSpec spec, ExperimentRun.Teacher teacher, TrainingState from,
                              long stopAfter) throws InterruptedException {
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        RunControl control = new RunControl();
        RunEvent.Listener recorder = session.recorder();
        ExperimentRun run = ExperimentRun.prepare(spec, teacher, RunOptions.headless(2).probingEvery(0)
                .checkpointingTo(session.checkpointer(), 2));
        if (from != null) {
            run.resumingFrom(from);
        }
        run.run(e -> {
            events.add(e);
            recorder.on(e);
            if (e instanceof RunEvent.Step s && s.metrics().step() + 1 == stopAfter) {
                control.cancel();
            }
        }, control);
        return events;
    }
}
