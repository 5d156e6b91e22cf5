package dev.qvit.model.experiment;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.probe.WeightOscillation;
import dev.qvit.model.probe.AttentionProbe;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.Evaluator;
import dev.qvit.model.train.InterruptOnCancel;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.SliceResult;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.train.TrainingProgress;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.Backbone;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one way an {@link ExperimentSpec} becomes a run, for the window, every command and the ablation alike:
 * builds the model (a fresh teacher, or a quantized student calibrated on the first training batch), trains it on
 * the calling thread, probes it and saves checkpoints as {@link RunOptions} ask, and reports {@link RunEvent}s.
 */
public final class ExperimentRun {
    private WeightOscillation oscillation;
    /** Probe images: three per class; the first ten (one per class) keep their attention matrices. */
    public static final int PROBES_PER_CLASS = 3;
    public static final int ATTENTION_IMAGES = 10;

    private final ExperimentSpec spec;
    private final Teacher teacher;
    private final RunOptions options;
    private final FashionMnist.Splits data;
    private TrainingState resumeFrom;
    private Trainer trainer;

    /** A student's full-precision teacher, with its test accuracy (0..1, NaN when unknown). */
    public record Teacher(Backbone model, double testAccuracy) {
    }

    /** The trained model and how its training went. */
    public record Result(Backbone model, Trainer.Summary summary) {
    }

    private ExperimentRun(ExperimentSpec spec, Teacher teacher, RunOptions options, FashionMnist.Splits data) {
        this.spec = spec;
        this.teacher = teacher;
        this.options = options;
        this.data = data;
    }

    /**
     * Checks the spec and loads its data.
     *
     * @param teacher the teacher of a student run (the spec names where it came from); ignored by teacher runs
     * @throws InvalidExperimentException when the spec cannot run, or the teacher does not fit it
     */
    public static ExperimentRun prepare(ExperimentSpec spec, Teacher teacher, RunOptions options) {
        ExperimentSpec checked = check(spec, teacher);
        return prepare(checked, teacher, options, loadData(checked.data()));
    }

    /** As {@link #prepare(ExperimentSpec, Teacher, RunOptions)} on data already loaded with {@link #loadData}. */
    public static ExperimentRun prepare(ExperimentSpec spec, Teacher teacher, RunOptions options,
                                        FashionMnist.Splits data) {
        spec = check(spec, teacher);
        return new ExperimentRun(spec, spec.kind() == ExperimentSpec.Kind.STUDENT ? teacher : null, options, data);
    }

    /**
     * What {@link #prepare} checks before it loads any data, for a caller that must answer at once (the window):
     * the spec, and that a student has a full-precision teacher of its size.
     *
     * @return the spec with a student's size filled in from its teacher
     * @throws InvalidExperimentException saying what to change
     */
    public static ExperimentSpec check(ExperimentSpec spec, Teacher teacher) {
        spec.requireValid();
        if (spec.kind() == ExperimentSpec.Kind.STUDENT) {
            if (teacher == null) {
                throw new InvalidExperimentException("there is no teacher to quantize: train a teacher or open one first");
            }
            if (teacher.model().quantization() != null) {
                throw new InvalidExperimentException("the teacher must be a full-precision model, not a quantized student");
            }
            if (spec.model() == null) {
                spec = spec.withModel(teacher.model().config());     // a student has its teacher's size
            }
            if (!teacher.model().config().equals(spec.model())) {
                throw new InvalidExperimentException("the teacher is %s, not %s: train a %s teacher first or pick its size"
                        .formatted(teacher.model().config().describe(), spec.model().describe(),
                                spec.model().presetName()));
            }
        }
        return spec;
    }

    /** The spec's data set with its limits applied. */
    public static FashionMnist.Splits loadData(ExperimentSpec.Data d) {
        FashionMnist.Splits splits = FashionMnist.load(d.source());
        return new FashionMnist.Splits(limited(splits.train(), d.trainLimit()), limited(splits.test(), d.testLimit()),
                splits.description());
    }

    /** The spec's test images alone (evaluation reads no training file). */
    public static FashionMnist.TestSet loadTestData(ExperimentSpec.Data d) {
        FashionMnist.TestSet set = FashionMnist.test(d.source());
        return new FashionMnist.TestSet(limited(set.images(), d.testLimit()), set.description());
    }

    /** Test loss and accuracy of {@code model} on {@code images}, computed as the runs' epoch ends compute it. */
    public static SliceResult evaluate(Backbone model, ImageDataset images, int threads) {
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, model)) {
            return Evaluator.evaluate(workers, images);
        }
    }

    private static ImageDataset limited(ImageDataset images, int limit) {
        return limit > 0 ? images.head(limit) : images;
    }

    /**
     * Makes this run go on from a checkpoint of an earlier run of the same spec instead of starting afresh: the
     * model is built as for a new run, then takes the saved parameters, optimizer state and quantizer calibration,
     * and training continues at the saved step.
     */
    public ExperimentRun resumingFrom(TrainingState state) {
        this.resumeFrom = state;
        return this;
    }

    /** The spec this run carries out, its student's size filled in from the teacher. */
    public ExperimentSpec spec() {
        return spec;
    }

    public FashionMnist.Splits data() {
        return data;
    }

    /**
     * A student run's weight oscillation over its current (at the end: its last) epoch, from the second step of the
     * epoch or of the resumed run on; null for a teacher run or before training.
     */
    public WeightOscillation weightOscillation() {
        return oscillation;
    }

    public long totalSteps() {
        int batch = spec.training().batchSize();
        return (long) ((data.train().count() + batch - 1) / batch) * spec.training().epochs();
    }

    /**
     * Trains on the calling thread (not the FX thread) until done or cancelled.
     *
     * @throws RuntimeException after a {@link RunEvent.Failed} when training fails (e.g. diverges)
     */
    public Result run(RunEvent.Listener listener, RunControl control) throws InterruptedException {
        try {
            Result result = train(listener, control);
            listener.on(result.summary().cancelled() ? new RunEvent.Cancelled(result.summary())
                    : new RunEvent.Finished(result.summary()));
            return result;
        } catch (RuntimeException e) {
            listener.on(new RunEvent.Failed(e.getMessage() == null ? e.toString() : e.getMessage()));
            throw e;
        }
    }

    private Result train(RunEvent.Listener listener, RunControl control) throws InterruptedException {
        AttentionProbe probe = options.probes()
                ? new AttentionProbe(ProbeBatch.of(data.test(), PROBES_PER_CLASS), ATTENTION_IMAGES) : null;
        String description = "%s on %s: %,d train / %,d test images".formatted(spec.label(), data.description(),
                data.train().count(), data.test().count());
        if (spec.kind() == ExperimentSpec.Kind.TEACHER) {
            Backbone model = spec.model().create(spec.training().seed());
            listener.on(started(description, probe, null, Double.NaN));
            try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(options.threads(),
                    model)) {
                trainer = new Trainer(spec.training(), workers, model.parameters());
                return new Result(model, train(model, probe, listener, control));
            }
        }
        ModelSnapshot teacherSnapshot = probe == null ? null : probe.capture(teacher.model());
        listener.on(started(description, probe, teacherSnapshot, teacher.testAccuracy()));
        Backbone student = QuantizedStudent.fromTeacher(teacher.model(), spec.quantization(),
                BatchLoader.firstImages(data.train(), spec.training().batchSize()));
        try (ParallelWorkers<dev.qvit.model.train.QuantizationAwareObjective> workers = QuantizationAwareTraining
                .workers(options.threads(), student, teacher.model(), spec.distillation())) {
            trainer = QuantizationAwareTraining.trainer(spec.training(), workers);
            oscillation = new WeightOscillation(student);
            return new Result(student, train(student, probe, listener, control));
        }
    }

    private Trainer.Summary train(Backbone model, AttentionProbe probe, RunEvent.Listener listener,
                                  RunControl control) throws InterruptedException {
        TrainingProgress from = TrainingProgress.START;
        if (resumeFrom != null) {
            resumeFrom.restoreInto(model, trainer.optimizer());
            if (oscillation != null && resumeFrom.oscillation() != null) {
                oscillation.restore(resumeFrom.oscillation());
            }
            from = resumeFrom.progress();
        }
        return trainer.run(data.train(), data.test(), progress(model, probe, listener, control), control, from);
    }

    private RunEvent.Started started(String description, AttentionProbe probe, ModelSnapshot teacherSnapshot,
                                     double teacherAccuracy) {
        return new RunEvent.Started(spec, description, data.train().count(), data.test().count(), totalSteps(),
                probe == null ? null : probe.batch().images(), teacherSnapshot, teacherAccuracy);
    }

    /**
     * Forwards progress, probes {@code model} after a step (throttled, through a replica of its own: shared
     * weights, own buffers, so that probing does not resize the training slices' buffers; a cancel stops a probe
     * in progress between two blocks) and saves checkpoints. A probe runs on the training thread while the workers
     * take the next step, which only reads the weights ({@link Trainer#alongsideNextStep}); its event comes before
     * that step's.
     */
    private TrainingListener progress(Backbone model, AttentionProbe probe, RunEvent.Listener listener,
                                      RunControl control) {
        Backbone probed = probe == null ? null : model.replica();
        return new TrainingListener() {
            private long lastProbe = Long.MIN_VALUE / 2;
            private long probeCost;

            @Override
            public void onStep(StepMetrics m) {
                if (oscillation != null) {
                    if (m.step() % (totalSteps() / spec.training().epochs()) == 0) {
                        oscillation.restart();
                    }
                    oscillation.afterStep();
                }
                listener.on(new RunEvent.Step(m));
                long now = System.currentTimeMillis();
                boolean last = m.step() + 1 >= m.totalSteps();
                if (probe != null && (now - lastProbe >= probeGap(options.probeIntervalMillis(), probeCost) || last)) {
                    trainer.alongsideNextStep(() -> probe(m));
                }
                int every = options.checkpointEverySteps();
                boolean epochEnd = (m.step() + 1) % (totalSteps() / spec.training().epochs()) == 0;  // saved there anyway
                if (every > 0 && (m.step() + 1) % every == 0 && !epochEnd) {
                    checkpoint(model, listener);
                }
            }

            /** Runs while the workers take the next step (or before the trainer waits): the weights are m's. */
            private void probe(StepMetrics m) {
                long start = System.currentTimeMillis();
                ModelSnapshot snapshot;
                try (InterruptOnCancel cancellable = new InterruptOnCancel(control)) {
                    snapshot = probe.capture(probed);
                }
                listener.on(new RunEvent.Probed(new ProbeSnapshot(m.step(), m.epoch(), snapshot)));
                probeCost = System.currentTimeMillis() - start;
                lastProbe = System.currentTimeMillis();
            }

            @Override
            public void onEpoch(EpochMetrics m) {
                listener.on(new RunEvent.Epoch(m));
                checkpoint(model, listener);
            }
        };
    }

    /**
     * Milliseconds of training between two probes: the asked interval, but at least {@link #PROBE_BUDGET} times the
     * last probe's cost, so that probing, which holds up the workers, takes at most 5 % of the run's time; an
     * interval of 0 probes after every step (tests).
     */
    static long probeGap(long intervalMillis, long lastProbeMillis) {
        return intervalMillis == 0 ? 0 : Math.max(intervalMillis, PROBE_BUDGET * lastProbeMillis);
    }

    /** Training time per unit of probe time: 19 keeps probes at or below 1 / (1 + 19) = 5 % of a run. */
    static final long PROBE_BUDGET = 19;

    private void checkpoint(Backbone model, RunEvent.Listener listener) {
        if (options.checkpointer() == null) {
            return;
        }
        TrainingProgress progress = trainer.progress();
        try {
            String where = options.checkpointer().save(spec, model,
                    TrainingState.capture(model, trainer.optimizer(), progress, oscillation));
            listener.on(new RunEvent.Checkpointed(progress.step(), progress.history().size(), where));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the checkpoint: " + e.getMessage(), e);
        }
    }
}
