package dev.qvit.app.fx;

import dev.qvit.app.task.TrainingJob;
import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.snapshot.ProbeSnapshot;
import dev.qvit.model.snapshot.StepMetrics;
import dev.qvit.viz.fx.ViewData;
import java.util.ArrayList;
import java.util.List;

/**
 * What the workbench knows about the current run: its start, every step's metrics, every epoch, and the probe
 * snapshots kept for replay (at most {@link #MAX_SNAPSHOTS}: when full, every other older snapshot is dropped, so
 * the history stays spread over the whole run). FX thread only.
 */
public final class RunState {
    static final int MAX_SNAPSHOTS = 120;
    private TrainingJob.RunStart start;
    private String title = "no run yet";
    private final List<StepMetrics> steps = new ArrayList<>();
    private final List<EpochMetrics> epochs = new ArrayList<>();
    private final List<ProbeSnapshot> snapshots = new ArrayList<>();

    /** Forgets the previous run. */
    public void reset(String newTitle) {
        start = null;
        title = newTitle;
        steps.clear();
        epochs.clear();
        snapshots.clear();
    }

    /** Shows a single snapshot (e.g. the loaded teacher before any run). */
    public void showStatic(String newTitle, TrainingJob.RunStart info, ProbeSnapshot snapshot) {
        reset(newTitle);
        start = info;
        snapshots.add(snapshot);
    }

    /** Applies events drained from a run's feed; true if anything changed. */
    public boolean apply(List<Object> events) {
        for (Object e : events) {
            if (e instanceof TrainingJob.RunStart s) {
                start = s;
                title = s.settings().label();
            } else if (e instanceof StepMetrics m) {
                steps.add(m);
            } else if (e instanceof EpochMetrics m) {
                epochs.add(m);
            } else if (e instanceof ProbeSnapshot p) {
                add(p);
            }
        }
        return !events.isEmpty();
    }

    private void add(ProbeSnapshot p) {
        snapshots.add(p);
        if (snapshots.size() > MAX_SNAPSHOTS) {
            List<ProbeSnapshot> kept = new ArrayList<>();
            for (int i = 0; i < snapshots.size(); i++) {
                if (i % 2 == 0 || i == snapshots.size() - 1) {
                    kept.add(snapshots.get(i));
                }
            }
            snapshots.clear();
            snapshots.addAll(kept);
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

    public TrainingJob.RunStart start() {
        return start;
    }
}
