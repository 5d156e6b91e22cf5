package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.nn.StepCancelledException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelWorkersAlongsideTest {

    @Test
    void alongsideRunsOnTheCallingThreadWhileTheSlicesRun() {
        CountDownLatch alongsideStarted = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        try (ParallelWorkers<Integer> workers = new ParallelWorkers<>(2, 4, (slice, reduction) -> slice)) {
            // each slice waits for the alongside work to have started: run after the slices, it would time out
            List<Boolean> sawIt = workers.run(4, (w, k) -> await(alongsideStarted), () -> {
                ranOn[0] = Thread.currentThread();
                alongsideStarted.countDown();
            });
            assertThat(sawIt).containsExactly(true, true, true, true);
        }
        assertThat(ranOn[0]).isSameAs(caller);
    }

    @Test
    void theSlicesAreWaitedForWhenTheAlongsideWorkFails() {
        boolean[] sliceDone = new boolean[4];
        try (ParallelWorkers<Integer> workers = new ParallelWorkers<>(2, 4, (slice, reduction) -> slice)) {
            assertThatThrownBy(() -> workers.run(4, (w, k) -> {
                sleep(50);
                sliceDone[k] = true;
                return k;
            }, () -> {
                throw new IllegalStateException("probe failed");
            })).isInstanceOf(IllegalStateException.class).hasMessage("probe failed");
            assertThat(sliceDone).containsExactly(true, true, true, true);
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new StepCancelledException();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new StepCancelledException();
        }
    }
}
