package dev.qvit.model.experiment;

import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.records.EpochMetrics;
import java.io.IOException;
import java.util.List;

/** Saves a run's state between two steps, on the training thread. */
@FunctionalInterface
public interface Checkpointer {

    /**
     * @param spec    the run's experiment
     * @param steps   steps done
     * @param history the epochs finished so far
     * @return where it was saved, for the user
     */
    String save(ExperimentSpec spec, VisionTransformer model, long steps, List<EpochMetrics> history) throws IOException;
}
