package dev.qvit.model.train;

import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.vit.Backbone;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wires QAT onto the data-parallel trainer: one student replica and one teacher replica per slice, the
 * quantizers initialised once on the whole first training batch by the primary student (so that the
 * gradient scale counts the full batch, as in the official code); the replicas share that calibration.
 */
public final class QuantizationAwareTraining {
    private QuantizationAwareTraining() {
    }

    public static ParallelWorkers<QuantizationAwareObjective> workers(int threads, Backbone student, Backbone teacher,
                                                                      DistillationSettings settings) {
        return new ParallelWorkers<>(threads, (slice, reduction) -> {
            Backbone s = slice == 0 ? student : student.replica();
            Backbone t = slice == 0 ? teacher : teacher.replica();
            s.synchronizeBatchStatistics(reduction);
            return new QuantizationAwareObjective(s, t, settings);
        });
    }

    /** A trainer whose first batch initialises the quantizers. */
    public static Trainer trainer(TrainingConfig config, ParallelWorkers<QuantizationAwareObjective> workers) {
        Backbone primary = workers.worker(0).student();
        Trainer trainer = new Trainer(config, workers, primary.parameters());
        trainer.setFirstBatchHook((images, count) -> initializeQuantizers(workers, images, count));
        return trainer;
    }

    /**
     * LSQ init of all quantizers by a training-mode forward of the whole batch on the primary student (the first
     * slice, alone), as the reference does; the distribution IRM's running statistics take that batch once.
     */
    public static void initializeQuantizers(ParallelWorkers<QuantizationAwareObjective> workers, float[] images,
                                            int count) {
        Backbone primary = workers.worker(0).student();
        if (primary.quantizers().stream().allMatch(LsqQuantizer::initialized)) {
            return;
        }
        workers.run(1, (w, slice) -> primary.forward(Predictions.copyInto(images, Nd4j.create(
                primary.parameters().dataType(), count, primary.channels(), primary.imageSize(), primary.imageSize())),
                true));
        primary.updateRunningStatistics();
    }
}
