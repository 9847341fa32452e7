package dev.recsys.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.train.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GracefulStopTest {
    private static TrainingListener.StepInfo step(long n) {
        return new TrainingListener.StepInfo(3, n, 100, 0.5f, 1e-3f, 1.0, 32, 0.01);
    }

    @Test
    void aRequestStopsTheTrainingThreadAfterItsStepAndBetweenPhases() {
        PrintStream err = new PrintStream(new ByteArrayOutputStream());
        try (GracefulStop stop = new GracefulStop(Path.of("ckpt"), 1000, err)) {
            stop.onStep(step(7)); // nothing requested: training goes on
            stop.check("before saving");
            assertThat(stop.requested()).isFalse();
            stop.request();
            assertThat(stop.requested()).isTrue();
            assertThatThrownBy(() -> stop.onStep(step(8)))
                    .isInstanceOf(GracefulStop.Stopped.class)
                    .hasMessage("stopped by a signal after step 8 (epoch 3)");
            assertThatThrownBy(() -> stop.check("before the final evaluation"))
                    .isInstanceOf(GracefulStop.Stopped.class)
                    .hasMessageContaining("before the final evaluation");
        }
    }

    @Test
    void closingUnregistersTheShutdownHook() {
        GracefulStop stop = new GracefulStop(null, 1000, System.err);
        stop.close();
        stop.close(); // twice is harmless
        assertThat(stop.requested()).isFalse();
    }
}
