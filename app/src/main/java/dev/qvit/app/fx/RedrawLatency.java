package dev.qvit.app.fx;

import dev.qvit.viz.fx.ChartPane;
import java.util.ArrayList;
import java.util.List;
import javafx.animation.AnimationTimer;

/**
 * How long a control's change takes to reach the screen: from {@link #changed()} to the first frame on which every
 * given chart pane shows that change's chart or a newer one (JavaFX pulses, so the figure is rounded up to the next
 * frame). While a slider is dragged, each change is timed on its own. Kept for the log and the tests; no test times
 * it.
 */
final class RedrawLatency {
    private final List<ChartPane> panes;
    private final List<Double> millis = new ArrayList<>();
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            while (!pending.isEmpty() && pending.peek().onScreen(panes)) {
                millis.add((System.nanoTime() - pending.poll().since()) / 1e6);
            }
            if (pending.isEmpty()) {
                stop();
            }
        }
    };

    /** A change: when it was made and the generation of each pane's chart it asked for. */
    private record Pending(long since, long[] generations) {
        boolean onScreen(List<ChartPane> panes) {
            for (int i = 0; i < generations.length; i++) {
                if (panes.get(i).shownGeneration() < generations[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    RedrawLatency(List<ChartPane> panes) {
        this.panes = List.copyOf(panes);
    }

    /** The panes were just given a control's new charts (FX thread). */
    void changed() {
        pending.add(new Pending(System.nanoTime(), panes.stream().mapToLong(ChartPane::generation).toArray()));
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
