package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {

    @Test
    void aThreadLowersItsOwnPriorityAndNoOtherThreadsOne() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
        int before = BackgroundPriority.currentNice();
        AtomicInteger inside = new AtomicInteger(-1);
        Thread t = new Thread(() -> {
            if (BackgroundPriority.lowerCurrentThread(7)) {
                try {
                    inside.set(BackgroundPriority.currentNice());
                } catch (java.io.IOException e) {
                    inside.set(-2);
                }
            }
        });
        t.start();
        t.join();
        assertThat(inside.get()).isEqualTo(7);
        assertThat(BackgroundPriority.currentNice()).isEqualTo(before);
    }

    @Test
    void workersTakeTheConfiguredNiceValue() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "Linux only");
        BackgroundPriority.setForWorkers(5);
        try (ParallelWorkers<Integer> workers = new ParallelWorkers<>(2, 2, (slice, reduction) -> slice)) {
            assertThat(workers.run(2, (w, i) -> {
                try {
                    return BackgroundPriority.currentNice();
                } catch (java.io.IOException e) {
                    return -1;
                }
            })).containsExactly(5, 5);
        } finally {
            BackgroundPriority.setForWorkers(0);
        }
    }

    @Test
    void refusesNiceValuesOutsideLinuxRange() {
        assertThatThrownBy(() -> BackgroundPriority.setForWorkers(20)).hasMessageContaining("between 0 and 19");
    }
}
