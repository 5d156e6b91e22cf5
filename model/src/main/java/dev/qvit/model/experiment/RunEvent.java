package dev.qvit.model.experiment;

import dev.qvit.model.train.Trainer;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeImages;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;

/**
 * What a run tells while it trains, in order: {@link Started}, then {@link Step}s with {@link Probed} snapshots,
 * {@link Epoch}s and {@link Checkpointed} saves between them, and one of {@link Finished}, {@link Cancelled} or
 * {@link Failed} last. Delivered on the training thread; a listener must hand them off and return.
 */
public sealed interface RunEvent {

    /** Calls the handler's method for this event's type. */
    void dispatch(Handler handler);

    /**
     * What is known when a run starts.
     *
     * @param images          the probe images (null when the run does not probe)
     * @param teacher         the teacher's probe snapshot (student runs that probe), or null
     * @param teacherAccuracy the teacher's test accuracy (0..1) or NaN
     */
    record Started(ExperimentSpec spec, String description, int trainImages, int testImages, long totalSteps,
                   ProbeImages images, ModelSnapshot teacher, double teacherAccuracy) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.started(this);
        }
    }

    record Step(StepMetrics metrics) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.step(this);
        }
    }

    record Probed(ProbeSnapshot snapshot) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.probed(this);
        }
    }

    record Epoch(EpochMetrics metrics) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.epoch(this);
        }
    }

    /** The run's state after {@code steps} steps was saved to {@code location}. */
    record Checkpointed(long steps, int epochs, String location) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.checkpointed(this);
        }
    }

    record Finished(Trainer.Summary summary) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.finished(this);
        }
    }

    /** Stopped on request; the model holds what was trained until then. */
    record Cancelled(Trainer.Summary summary) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.cancelled(this);
        }
    }

    /** Ended by an error; {@code message} is one sentence for the user. */
    record Failed(String message) implements RunEvent {
        @Override
        public void dispatch(Handler h) {
            h.failed(this);
        }
    }

    /** One method per event type; those a consumer does not need do nothing. */
    interface Handler {
        default void started(Started e) {
        }

        default void step(Step e) {
        }

        default void probed(Probed e) {
        }

        default void epoch(Epoch e) {
        }

        default void checkpointed(Checkpointed e) {
        }

        default void finished(Finished e) {
        }

        default void cancelled(Cancelled e) {
        }

        default void failed(Failed e) {
        }
    }

    /** Receives events on the training thread. */
    @FunctionalInterface
    interface Listener {
        void on(RunEvent event);

        Listener NONE = e -> {
        };

        /** A listener that dispatches every event to {@code handler}. */
        static Listener of(Handler handler) {
            return e -> e.dispatch(handler);
        }
    }
}
