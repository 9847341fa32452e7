package dev.recsys.api.train;

import java.io.IOException;

/** Receives resumable training states every {@code checkpointEverySteps} steps and at the end. */
@FunctionalInterface
public interface CheckpointSink {
    void save(TrainState state) throws IOException;
}
