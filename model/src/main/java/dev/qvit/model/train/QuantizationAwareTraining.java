package dev.qvit.model.train;

import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.vit.TransformerBlock;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wires QAT onto the data-parallel trainer: one student replica and one teacher replica per worker, the
 * quantizers initialised once on the whole first training batch by the primary student (so that the
 * gradient scale counts the full batch, as in the official code) and their state copied to the replicas.
 */
public final class QuantizationAwareTraining {
    private QuantizationAwareTraining() {
    }

    public static ParallelWorkers<QuantizationAwareObjective> workers(int threads, VisionTransformer student,
                                                                      VisionTransformer teacher,
                                                                      DistillationSettings settings) {
        return new ParallelWorkers<>(threads, k -> {
            VisionTransformer s = k == 0 ? student : VisionTransformer.replicaOf(student);
            VisionTransformer t = k == 0 ? teacher : VisionTransformer.replicaOf(teacher);
            if (k > 0) {
                stopRunningStatisticUpdates(s);
            }
            return new QuantizationAwareObjective(s, t, settings);
        });
    }

    /** A trainer whose first batch initialises the quantizers of every replica. */
    public static Trainer trainer(TrainingConfig config, ParallelWorkers<QuantizationAwareObjective> workers) {
        VisionTransformer primary = workers.worker(0).student();
        Trainer trainer = new Trainer(config, workers, primary.parameters());
        trainer.setFirstBatchHook((images, count) -> initializeQuantizers(workers, images, count));
        return trainer;
    }

    /** LSQ init of all quantizers on one batch by the primary student, then copied to the other replicas. */
    public static void initializeQuantizers(ParallelWorkers<QuantizationAwareObjective> workers, float[] images,
                                            int count) {
        VisionTransformer primary = workers.worker(0).student();
        if (primary.quantizers().stream().allMatch(LsqQuantizer::initialized)) {
            return;
        }
        VitConfig c = primary.config();
        workers.run((w, k) -> {
            if (k == 0) {
                primary.forward(Predictions.copyInto(images,
                        Nd4j.create(DataType.FLOAT, count, c.channels(), c.imageSize(), c.imageSize())), true);
            }
            return null;
        });
        List<LsqQuantizer> initialized = primary.quantizers();
        for (int k = 1; k < workers.size(); k++) {
            List<LsqQuantizer> replica = workers.worker(k).student().quantizers();
            for (int i = 0; i < replica.size(); i++) {
                replica.get(i).copyStateFrom(initialized.get(i));
            }
        }
    }

    private static void stopRunningStatisticUpdates(VisionTransformer student) {
        for (TransformerBlock block : student.blocks()) {
            var q = block.attention().quantizers();
            if (q.queryRectification() instanceof DistributionRectification d) {
                d.setUpdatesRunningStatistics(false);
            }
            if (q.keyRectification() instanceof DistributionRectification d) {
                d.setUpdatesRunningStatistics(false);
            }
        }
    }
}
