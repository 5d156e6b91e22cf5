package dev.qvit.app.task;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.probe.AttentionProbe;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.quant.QuantizedStudent;
import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.ModelSnapshot;
import dev.qvit.model.snapshot.ProbeImages;
import dev.qvit.model.snapshot.ProbeSnapshot;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.InterruptOnCancel;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.vit.VisionTransformer;

/**
 * One workbench run without any UI: trains a full-precision teacher, or a quantized student from the given teacher,
 * while probing the model on a fixed batch of test images at most once per {@code probeIntervalMillis} (and after
 * the first and the last step). Runs on the calling thread, which must not be the FX thread.
 */
public final class TrainingJob {
    /** Probe images: three per class, the first ten (one per class) keep their attention matrices. */
    public static final int PROBES_PER_CLASS = 3;
    public static final int ATTENTION_IMAGES = 10;

    private final RunSettings settings;
    private final VisionTransformer teacher;
    private final double teacherAccuracy;
    private final long probeIntervalMillis;

    /** Receives a run's progress on the training thread; must return quickly. */
    public interface Observer {
        void onStart(RunStart start);

        void onStep(StepMetrics metrics);

        void onSnapshot(ProbeSnapshot snapshot);

        void onEpoch(EpochMetrics metrics);
    }

    /**
     * What is known when a run starts.
     *
     * @param teacher         the teacher's probe snapshot (student runs), or null
     * @param teacherAccuracy the teacher's test accuracy (0..1) or NaN
     */
    public record RunStart(RunSettings settings, String description, ProbeImages images, ModelSnapshot teacher,
                           double teacherAccuracy, long totalSteps) {
    }

    /** The trained model and its run. */
    public record Result(VisionTransformer model, Trainer.Summary summary) {
    }

    /**
     * @param teacher the full-precision teacher a student run starts from (ignored by teacher runs)
     */
    public TrainingJob(RunSettings settings, VisionTransformer teacher, double teacherAccuracy,
                       long probeIntervalMillis) {
        if (!settings.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", settings.problems().values()));
        }
        if (settings.kind() == RunSettings.Kind.STUDENT && teacher == null) {
            throw new IllegalArgumentException("there is no teacher to quantize: train a teacher or open one first");
        }
        this.settings = settings;
        this.teacher = teacher;
        this.teacherAccuracy = teacherAccuracy;
        this.probeIntervalMillis = probeIntervalMillis;
    }

    public Result run(Observer observer, RunControl control) throws InterruptedException {
        FashionMnist.Splits splits = FashionMnist.load(settings.data());
        ImageDataset train = settings.trainLimit() > 0 ? splits.train().head(settings.trainLimit()) : splits.train();
        AttentionProbe probe = new AttentionProbe(ProbeBatch.of(splits.test(), PROBES_PER_CLASS), ATTENTION_IMAGES);
        long steps = (long) ((train.count() + 127) / 128) * settings.epochs();
        String description = "%s on %s: %,d train / %,d test images".formatted(settings.label(), splits.description(),
                train.count(), splits.test().count());
        if (settings.kind() == RunSettings.Kind.TEACHER) {
            VisionTransformer model = VisionTransformer.create(settings.model(), settings.seed());
            observer.onStart(new RunStart(settings, description, probe.batch().images(), null, Double.NaN, steps));
            try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(settings.threads(),
                    model)) {
                Trainer trainer = new Trainer(settings.training(), workers, model.parameters());
                return new Result(model, trainer.run(train, splits.test(), probing(model, probe, observer, control), control));
            }
        }
        if (!teacher.config().equals(settings.model())) {
            throw new IllegalArgumentException("the teacher is %s, not %s: train a %s teacher first or pick its size"
                    .formatted(teacher.config().describe(), settings.preset(), settings.preset()));
        }
        ModelSnapshot teacherSnapshot = probe.capture(teacher);
        observer.onStart(new RunStart(settings, description, probe.batch().images(), teacherSnapshot, teacherAccuracy,
                steps));
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, settings.quantization(),
                BatchLoader.firstImages(train, 128));
        try (ParallelWorkers<QuantizationAwareObjective> workers = QuantizationAwareTraining.workers(settings.threads(),
                student, teacher, settings.distillation())) {
            Trainer trainer = QuantizationAwareTraining.trainer(settings.training(), workers);
            return new Result(student, trainer.run(train, splits.test(), probing(student, probe, observer, control), control));
        }
    }

    /**
     * Forwards progress and probes {@code model} between steps, throttled, through a replica of its own (shared
     * weights, own buffers), so that probing does not resize the training slices' buffers. A cancel stops a probe in
     * progress (it takes about a second on the tiny model) between two blocks.
     */
    private TrainingListener probing(VisionTransformer model, AttentionProbe probe, Observer observer,
                                     RunControl control) {
        VisionTransformer probed = VisionTransformer.replicaOf(model);
        return new TrainingListener() {
            private long lastProbe = Long.MIN_VALUE / 2;

            @Override
            public void onStep(StepMetrics m) {
                observer.onStep(m);
                long now = System.currentTimeMillis();
                boolean last = m.step() + 1 >= m.totalSteps();
                if (now - lastProbe >= probeIntervalMillis || last) {
                    ModelSnapshot snapshot;
                    try (InterruptOnCancel cancellable = new InterruptOnCancel(control)) {
                        snapshot = probe.capture(probed);
                    }
                    observer.onSnapshot(new ProbeSnapshot(m.step(), m.epoch(), snapshot));
                    lastProbe = System.currentTimeMillis();
                }
            }

            @Override
            public void onEpoch(EpochMetrics m) {
                observer.onEpoch(m);
            }
        };
    }
}
