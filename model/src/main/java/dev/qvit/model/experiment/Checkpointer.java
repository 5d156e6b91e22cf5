package dev.qvit.model.experiment;

import dev.qvit.model.vit.Backbone;
import java.io.IOException;

/** Saves a run's state between two steps, on the training thread. */
@FunctionalInterface
public interface Checkpointer {

    /**
     * @param spec  the run's experiment
     * @param model the model being trained (its state is also in {@code state}: save either)
     * @param state everything the next step depends on
     * @return where it was saved, for the user
     */
    String save(ExperimentSpec spec, Backbone model, TrainingState state) throws IOException;
}
