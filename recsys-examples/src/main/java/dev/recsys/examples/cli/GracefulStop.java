package dev.recsys.examples.cli;

import dev.recsys.api.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during training. Left alone, the JVM runs its shutdown while the training
 * thread is inside a native engine call, and the engine's teardown under that call crashed the
 * process (SIGSEGV in libtorch, an hs_err file in the working folder). With this listener the
 * signal only raises a flag: the training thread stops after its current step, the command closes
 * the model and the backend, and the shutdown waits for that (up to {@code waitMillis}) before it
 * lets the JVM go. Nothing is written on the way out; the last periodic checkpoint (written
 * atomically) stays, so {@code --resume} continues from it.
 *
 * <p>Use in a try-with-resources opened before the backend, so that it closes after it.
 */
final class GracefulStop implements TrainingListener, AutoCloseable {
    /** Thrown on the training thread after the step during which a stop was requested. */
    static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message);
        }
    }

    private final Thread hook;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Path checkpoints;
    private volatile boolean requested;
    private volatile String stoppedAt = "before the first step";

    GracefulStop(Path checkpoints, long waitMillis, PrintStream err) {
        this.checkpoints = checkpoints;
        this.hook = new Thread(
                () -> {
                    request();
                    try {
                        boolean done = closed.await(waitMillis, TimeUnit.MILLISECONDS);
                        err.println("recsys: stopped by a signal " + stoppedAt
                                + (done ? "" : " (the engine did not finish in time)")
                                + (this.checkpoints == null
                                        ? "; no resumable checkpoint was configured"
                                        : "; continue from the last checkpoint in " + this.checkpoints
                                                + " with --resume"));
                        err.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "recsys-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What the signal does (the shutdown hook calls it; tests call it directly). */
    void request() {
        requested = true;
    }

    /** Whether a stop was requested. */
    boolean requested() {
        return requested;
    }

    /** Stops between two phases (e.g. before the final evaluation) when a stop was requested. */
    void check(String where) {
        if (requested) {
            stoppedAt = where;
            throw new Stopped("stopped by a signal " + where);
        }
    }

    @Override
    public void onStep(StepInfo info) {
        if (requested) {
            stoppedAt = "after step " + info.step() + " (epoch " + info.epoch() + ")";
            throw new Stopped("stopped by a signal " + stoppedAt);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waited for this close and now lets the JVM go
        }
    }
}
