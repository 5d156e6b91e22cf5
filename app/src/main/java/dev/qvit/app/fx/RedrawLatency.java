package dev.qvit.app.fx;

import dev.qvit.viz.fx.ChartPane;
import java.util.ArrayList;
import java.util.List;
import javafx.animation.AnimationTimer;

/**
 * How long a control's change takes to reach the screen: from {@link #changed()} to the frame on which every given
 * chart pane shows its newest chart (JavaFX pulses, so the figure is rounded up to the next frame). Kept for the
 * log and the tests; no test times it.
 */
final class RedrawLatency {
    private final List<ChartPane> panes;
    private final List<Double> millis = new ArrayList<>();
    private long pendingSince = -1;
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            if (pendingSince >= 0 && panes.stream().allMatch(ChartPane::settled)) {
                millis.add((System.nanoTime() - pendingSince) / 1e6);
                pendingSince = -1;
                stop();
            }
        }
    };

    RedrawLatency(List<ChartPane> panes) {
        this.panes = List.copyOf(panes);
    }

    /** A control changed what the panes show (FX thread); the first change of a burst starts the clock. */
    void changed() {
        if (pendingSince < 0) {
            pendingSince = System.nanoTime();
        }
        timer.start();
    }

    /** Every measured latency so far, in milliseconds. */
    List<Double> measured() {
        return List.copyOf(millis);
    }

    /** "median 23 ms, 95th percentile 41 ms, worst 57 ms over 40 redraws", or null before the first. */
    String summary() {
        if (millis.isEmpty()) {
            return null;
        }
        List<Double> sorted = millis.stream().sorted().toList();
        return String.format(java.util.Locale.ROOT, "median %.0f ms, 95th percentile %.0f ms, worst %.0f ms over %d "
                        + "redraws", sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1),
                sorted.get(sorted.size() - 1), sorted.size());
    }
}
