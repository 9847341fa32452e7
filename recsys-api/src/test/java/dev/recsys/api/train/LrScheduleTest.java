package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.Schedule;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void warmupRisesLinearlyThenConstantHolds() {
        LrSchedule s = new LrSchedule(Schedule.CONSTANT, 1f, 4, 100, 0f);
        assertThat(s.at(0)).isEqualTo(0.25f);
        assertThat(s.at(3)).isEqualTo(1f);
        assertThat(s.at(50)).isEqualTo(1f);
    }

    @Test
    void linearAndCosineReachTheFloorAtTheLastStep() {
        LrSchedule lin = new LrSchedule(Schedule.LINEAR, 1f, 0, 11, 0.1f);
        assertThat(lin.at(0)).isEqualTo(1f);
        assertThat(lin.at(5)).isCloseTo(0.55f, within(1e-6f)); // halfway: 0.1 + 0.9 * 0.5
        assertThat(lin.at(10)).isCloseTo(0.1f, within(1e-6f));
        LrSchedule cos = new LrSchedule(Schedule.COSINE, 2f, 0, 11, 0f);
        assertThat(cos.at(5)).isCloseTo(1f, within(1e-6f)); // cos(pi/2) = 0 -> half of the peak
        assertThat(cos.at(10)).isCloseTo(0f, within(1e-6f));
    }
}
