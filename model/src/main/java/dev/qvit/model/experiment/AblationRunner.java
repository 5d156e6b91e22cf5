package dev.qvit.model.experiment;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.records.EpochMetrics;
import java.util.ArrayList;
import java.util.List;
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
        CellResult result = CellAnalysis.measure(cell, plan, teacher.model(), student, probe,
                new CellAnalysis.Run(epochs, lastDistillation[0], run.weightOscillation().rates(),
                        (System.nanoTime() - start) / 1e9, null));
        return new TrainedCell(result, student, ResidentMemory.peakBytes());
    }
}
