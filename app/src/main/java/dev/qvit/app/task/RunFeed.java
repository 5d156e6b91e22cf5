package dev.qvit.app.task;

import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.ProbeSnapshot;
import dev.qvit.model.snapshot.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hands a run's events from the training thread to the FX thread without blocking either: the training thread
 * appends, the FX thread drains a few times a second and applies everything at once.
 */
public final class RunFeed implements TrainingJob.Observer {
    private final ConcurrentLinkedQueue<Object> events = new ConcurrentLinkedQueue<>();

    @Override
    public void onStart(TrainingJob.RunStart start) {
        events.add(start);
    }

    @Override
    public void onStep(StepMetrics metrics) {
        events.add(metrics);
    }

    @Override
    public void onSnapshot(ProbeSnapshot snapshot) {
        events.add(snapshot);
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
        events.add(metrics);
    }

    /** Everything received since the last drain, in order. */
    public List<Object> drain() {
        List<Object> out = new ArrayList<>();
        Object e;
        while ((e = events.poll()) != null) {
            out.add(e);
        }
        return out;
    }
}
