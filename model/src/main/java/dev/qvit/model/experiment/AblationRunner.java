package dev.qvit.model.experiment;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.nn.NativeMemory;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizedStudent;
import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.model.stats.BlockStatistics;
import dev.qvit.model.stats.QueryKeyAnalysis;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.vit.VisionTransformer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Trains and measures one ablation cell at a time. Training thread only. */
public final class AblationRunner {
    private final VisionTransformer teacher;
    private final FashionMnist.Splits data;
    private final AblationPlan plan;
    private final int threads;

    public AblationRunner(VisionTransformer teacher, FashionMnist.Splits data, AblationPlan plan, int threads) {
        this.teacher = teacher;
        this.data = data;
        this.plan = plan;
        this.threads = threads;
    }

    /**
     * One finished cell: its measurements, the trained student they were measured on, and the process's peak
     * resident memory while it ran (bytes, -1 where unknown).
     */
    public record TrainedCell(CellResult result, VisionTransformer student, long peakResidentBytes) {
    }

    public TrainedCell run(int bits, Variant variant, long seed, TrainingListener progress) throws InterruptedException {
        long start = System.nanoTime();
        ResidentMemory.resetPeak();
        QuantizationConfig config = QuantizationConfig.of(bits,
                variant.rectification() ? plan.irmForm() : QuantizationConfig.Rectification.NONE);
        DistillationSettings dgd = new DistillationSettings(variant.distillation(), plan.lambda(), plan.dgdNorm(),
                variant.distillation() ? 1 : 10);
        INDArray probe = BatchLoader.firstImages(data.test(), plan.probeImages());
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, config, BatchLoader.firstImages(data.train(), 128));
        TrainingConfig training = plan.training().withSeed(seed);
        List<EpochMetrics> epochs = new ArrayList<>();
        double[] lastDistillation = {Double.NaN};
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(threads, student, teacher, dgd)) {
            QuantizationAwareTraining.trainer(training, workers).run(data.train(), data.test(), new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.distillation() != null) {
                        lastDistillation[0] = m.distillation().total();
                    }
                    progress.onStep(m);
                }

                @Override
                public void onEpoch(EpochMetrics m) {
                    epochs.add(m);
                    progress.onEpoch(m);
                }
            }, new RunControl());
        }
        List<BlockStatistics> blocks = QueryKeyAnalysis.analyse(teacher, student, probe);
        releaseProbeBuffers(student);
        return new TrainedCell(new CellResult(bits, variant.label(), seed, plan.irmForm().name().toLowerCase(),
                plan.lambda(), epochs.get(epochs.size() - 1).testAccuracy(), lastDistillation[0], epochs, blocks,
                (System.nanoTime() - start) / 1e9), student, ResidentMemory.peakBytes());
    }

    /** The analysis ran the whole probe batch through both models: free those large buffers before the next cell. */
    private void releaseProbeBuffers(VisionTransformer student) {
        teacher.parameters().releaseBuffers();
        student.parameters().releaseBuffers();
        NativeMemory.returnUnused();
    }
}
