package dev.qvit.model.experiment;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.nn.NativeMemory;
import dev.qvit.model.probe.QueryKeyAnalysis;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.EpochMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Trains and measures one ablation cell at a time, each an {@link ExperimentRun}. Training thread only. */
public final class AblationRunner {
    private final ExperimentRun.Teacher teacher;
    private final FashionMnist.Splits data;
    private final AblationPlan plan;
    private final int threads;

    /** {@code data}: the plan's data, loaded once for all cells with {@link ExperimentRun#loadData}. */
    public AblationRunner(ExperimentRun.Teacher teacher, FashionMnist.Splits data, AblationPlan plan, int threads) {
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

    public TrainedCell run(AblationPlan.Cell cell, RunEvent.Listener progress) throws InterruptedException {
        long start = System.nanoTime();
        ResidentMemory.resetPeak();
        List<EpochMetrics> epochs = new ArrayList<>();
        double[] lastDistillation = {Double.NaN};
        ExperimentRun run = ExperimentRun.prepare(cell.spec(), teacher, RunOptions.headless(threads), data);
        RunEvent.Handler measurements = new RunEvent.Handler() {
            @Override
            public void step(RunEvent.Step e) {
                if (e.metrics().distillation() != null) {
                    lastDistillation[0] = e.metrics().distillation().total();
                }
            }

            @Override
            public void epoch(RunEvent.Epoch e) {
                epochs.add(e.metrics());
            }
        };
        VisionTransformer student = run.run(event -> {
            event.dispatch(measurements);
            progress.on(event);
        }, new RunControl()).model();
        INDArray probe = BatchLoader.firstImages(data.test(), plan.probeImages());
        List<BlockStatistics> blocks = QueryKeyAnalysis.analyse(teacher.model(), student, probe);
        releaseProbeBuffers(student);
        return new TrainedCell(new CellResult(cell.bits(), cell.variant().label(), cell.seed(),
                plan.irmForm().name().toLowerCase(Locale.ROOT), plan.lambda(),
                epochs.get(epochs.size() - 1).testAccuracy(), lastDistillation[0], epochs, blocks,
                (System.nanoTime() - start) / 1e9), student, ResidentMemory.peakBytes());
    }

    /** The analysis ran the whole probe batch through both models: free those large buffers before the next cell. */
    private void releaseProbeBuffers(VisionTransformer student) {
        teacher.model().parameters().releaseBuffers();
        student.parameters().releaseBuffers();
        NativeMemory.returnUnused();
    }
}
