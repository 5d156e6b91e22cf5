package dev.qvit.app.fx;

import dev.qvit.model.experiment.RunEvent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import dev.qvit.viz.fx.ViewData;
import java.util.ArrayList;
import java.util.List;

/**
 * What the workbench knows about the current run: its start, every step's metrics, every epoch, and the probe
 * snapshots kept for replay (at most {@link #MAX_SNAPSHOTS}, evenly spread over the run, plus the newest).
 * FX thread only.
 */
public final class RunState {
    static final int MAX_SNAPSHOTS = 120;
    private RunEvent.Started start;
    private String title = "no run yet";
    private final List<StepMetrics> steps = new ArrayList<>();
    private final List<EpochMetrics> epochs = new ArrayList<>();
    private final List<ProbeSnapshot> snapshots = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private long received;
    private long stride = 1;

    /** Forgets the previous run. */
    public void reset(String newTitle) {
        start = null;
        title = newTitle;
        steps.clear();
        epochs.clear();
        snapshots.clear();
        arrivals.clear();
        received = 0;
        stride = 1;
    }

    /** Shows a single snapshot (e.g. the loaded teacher before any run). */
    public void showStatic(String newTitle, RunEvent.Started info, ProbeSnapshot snapshot) {
        reset(newTitle);
        start = info;
        add(snapshot);
    }

    /** Applies events drained from a run's feed; true if anything changed. */
    public boolean apply(List<RunEvent> events) {
        events.forEach(e -> e.dispatch(recorder));
        return !events.isEmpty();
    }

    private final RunEvent.Handler recorder = new RunEvent.Handler() {
        @Override
        public void started(RunEvent.Started e) {
            start = e;
            title = e.spec().label();
        }

        @Override
        public void step(RunEvent.Step e) {
            steps.add(e.metrics());
        }

        @Override
        public void epoch(RunEvent.Epoch e) {
            epochs.add(e.metrics());
        }

        @Override
        public void probed(RunEvent.Probed e) {
            add(e.snapshot());
        }
    };

    /**
     * Keeps the n-th snapshot of the run if n is a multiple of the stride, and always the newest; when more than
     * {@link #MAX_SNAPSHOTS} are kept the stride doubles, so the kept ones stay evenly spread over the run.
     */
    private void add(ProbeSnapshot p) {
        if (!snapshots.isEmpty() && arrivals.get(arrivals.size() - 1) % stride != 0) {
            snapshots.remove(snapshots.size() - 1);          // the previous newest was only kept as the newest
            arrivals.remove(arrivals.size() - 1);
        }
        snapshots.add(p);
        arrivals.add(received++);
        while (snapshots.size() > MAX_SNAPSHOTS) {
            stride *= 2;
            for (int i = snapshots.size() - 2; i >= 0; i--) {
                if (arrivals.get(i) % stride != 0) {
                    snapshots.remove(i);
                    arrivals.remove(i);
                }
            }
        }
    }

    public int snapshotCount() {
        return snapshots.size();
    }

    public ProbeSnapshot snapshot(int index) {
        return snapshots.get(index);
    }

    /** Index of the last snapshot at or before {@code step}, or the last one for a negative step ("live"). */
    public int indexAt(long step) {
        if (snapshots.isEmpty()) {
            return -1;
        }
        if (step < 0) {
            return snapshots.size() - 1;
        }
        int best = 0;
        for (int i = 0; i < snapshots.size(); i++) {
            if (snapshots.get(i).step() <= step) {
                best = i;
            }
        }
        return best;
    }

    /** The views' data with the snapshot at {@code step} selected (negative = the latest). */
    public ViewData view(long step) {
        int i = indexAt(step);
        return new ViewData(title, start == null ? null : start.images(), start == null ? null : start.teacher(),
                i < 0 ? null : snapshots.get(i), snapshots, steps, epochs,
                start == null ? Double.NaN : start.teacherAccuracy());
    }

    public List<StepMetrics> steps() {
        return List.copyOf(steps);
    }

    public RunEvent.Started start() {
        return start;
    }
}
