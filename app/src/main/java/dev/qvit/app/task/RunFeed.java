package dev.qvit.app.task;

import dev.qvit.model.experiment.RunEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hands a run's events from the training thread to the FX thread without blocking either: the training thread
 * appends, the FX thread drains a few times a second and applies everything at once.
 */
public final class RunFeed implements RunEvent.Listener {
    private final ConcurrentLinkedQueue<RunEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public void on(RunEvent event) {
        events.add(event);
    }

    /** Everything received since the last drain, in order. */
    public List<RunEvent> drain() {
        List<RunEvent> out = new ArrayList<>();
        RunEvent e;
        while ((e = events.poll()) != null) {
            out.add(e);
        }
        return out;
    }
}
