package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private final LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 1e-5, 1e-6, 10, 110);

    @Test
    void warmupRisesLinearlyFromTheStartValue() {
        assertThat(schedule.at(0)).isCloseTo(1e-6, within(1e-12));
        assertThat(schedule.at(5)).isCloseTo(1e-6 + (1e-3 - 1e-6) * 0.5, within(1e-12));
    }

    @Test
    void cosineStartsAtBaseHalvesAtMidpointAndEndsAtMin() {
        assertThat(schedule.at(10)).isCloseTo(1e-3, within(1e-12));
        assertThat(schedule.at(60)).isCloseTo((1e-3 + 1e-5) / 2, within(1e-12));
        assertThat(schedule.at(110)).isCloseTo(1e-5, within(1e-12));
    }

    @Test
    void isMonotoneAfterWarmup() {
        for (long t = 11; t <= 110; t++) {
            assertThat(schedule.at(t)).isLessThanOrEqualTo(schedule.at(t - 1));
        }
    }
}
