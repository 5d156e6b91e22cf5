package dev.qvit.app.cli;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainedModelFile;
import dev.qvit.model.train.RunControl;
import dev.qvit.records.EpochMetrics;
import java.nio.file.Path;

/** What {@code train} and {@code quantize} share: run a spec with terminal progress, saving after every epoch. */
final class ModelRun {
    private ModelRun() {
    }

    /** @return the last epoch's test accuracy (0..1) */
    static double run(ExperimentRun run) throws InterruptedException {
        ProgressPrinter progress = new ProgressPrinter(System.out, run.spec().training().epochs());
        ExperimentRun.Result result = run.run(e -> e.dispatch(progress), new RunControl());
        EpochMetrics last = result.summary().last();
        return last == null ? Double.NaN : last.testAccuracy();
    }

    static RunOptions savingTo(Path target, int threads) {
        return RunOptions.headless(threads).checkpointingTo(TrainedModelFile.checkpointer(target), 0);
    }
}
