package dev.qvit.app.fx;

import dev.qvit.model.experiment.RunEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunStateTest {

    private static RunEvent at(long step) {
        return new RunEvent.Probed(new ProbeSnapshot(step, 0,
                new ModelSnapshot(0, 0, 0, 0, List.of(), List.of(), new double[0], List.of())));
    }

    @Test
    void keepsAtMostTheLimitSpreadOverTheWholeRunWithTheNewestLast() {
        RunState state = new RunState();
        List<RunEvent> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(at(i));
        }
        state.apply(events);
        assertThat(state.snapshotCount()).isLessThanOrEqualTo(RunState.MAX_SNAPSHOTS);
        assertThat(state.snapshot(0).step()).isZero();
        assertThat(state.snapshot(state.snapshotCount() - 1).step()).isEqualTo(999);
        assertThat(state.snapshot(state.snapshotCount() / 2).step()).isBetween(400L, 600L);
        long gap = state.snapshot(1).step() - state.snapshot(0).step();
        for (int i = 1; i < state.snapshotCount() - 1; i++) {
            assertThat(state.snapshot(i).step() - state.snapshot(i - 1).step()).isEqualTo(gap);
        }
    }

    @Test
    void replaySelectsTheLastSnapshotAtOrBeforeTheStepAndLiveTheNewest() {
        RunState state = new RunState();
        state.apply(List.of(at(0), at(10), at(20)));
        assertThat(state.indexAt(15)).isEqualTo(1);
        assertThat(state.indexAt(-1)).isEqualTo(2);
        assertThat(state.view(10).current().step()).isEqualTo(10);
        assertThat(state.view(-1).current().step()).isEqualTo(20);
    }
}
