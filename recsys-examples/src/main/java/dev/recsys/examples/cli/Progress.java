package dev.recsys.examples.cli;

import dev.recsys.api.train.TrainResult;
import dev.recsys.api.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress: a one-line bar with loss, speed and ETA redrawn in place on a terminal,
 * plain log lines (one per epoch and per validation) otherwise.
 */
final class Progress implements TrainingListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final String stage;
    private long total;
    private long start;
    private double emaLoss = Double.NaN;
    private long lastDraw;
    private double seqs;
    private double secs;

    Progress(PrintWriter out, boolean terminal, String stage) {
        this.out = out;
        this.terminal = terminal;
        this.stage = stage;
    }

    static boolean isTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void onStart(long totalSteps, long startStep) {
        total = totalSteps;
        start = startStep;
    }

    @Override
    public void onStep(StepInfo s) {
        emaLoss = Double.isNaN(emaLoss) ? s.loss() : 0.95 * emaLoss + 0.05 * s.loss();
        seqs += s.sequences();
        secs += s.stepSeconds();
        long now = System.nanoTime();
        if (terminal && (now - lastDraw > 200_000_000L || s.step() == total)) {
            lastDraw = now;
            double rate = secs > 0 ? seqs / secs : 0;
            double done = total == 0 ? 1 : (double) s.step() / total;
            double stepRate = secs > 0 ? (s.step() - start) / secs : 0;
            long eta = stepRate > 0 ? Math.round((total - s.step()) / stepRate) : 0;
            int width = 24;
            int fill = (int) Math.round(done * width);
            out.printf(
                    Locale.ROOT,
                    "\r%s epoch %d [%s%s] %3.0f%% loss %.4f %.0f seq/s ETA %s   ",
                    stage,
                    s.epoch(),
                    "#".repeat(fill),
                    ".".repeat(width - fill),
                    done * 100,
                    emaLoss,
                    rate,
                    eta(eta));
            out.flush();
        }
    }

    private static String eta(long s) {
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    @Override
    public void onEpochEnd(int epoch, double meanLoss, double seconds) {
        if (!terminal) {
            out.printf(
                    Locale.ROOT,
                    "%s epoch %d: loss %.4f (%.1f s, %.0f seq/s)%n",
                    stage,
                    epoch,
                    meanLoss,
                    seconds,
                    secs > 0 ? seqs / secs : 0);
            out.flush();
        }
    }

    @Override
    public void onValidation(int epoch, double metric, boolean improved) {
        if (terminal) {
            out.print("\r");
        }
        out.printf(Locale.ROOT, "%s epoch %d: validation %.4f%s%n", stage, epoch, metric, improved ? " (best)" : "");
        out.flush();
    }

    @Override
    public void onEnd(TrainResult r) {
        if (terminal) {
            out.println();
        }
        out.printf(
                Locale.ROOT,
                "%s done: %d epochs, %d steps, %.1f s, %.0f seq/s%s%n",
                stage,
                r.epochs(),
                r.steps(),
                r.seconds(),
                r.sequencesPerSecond(),
                Double.isNaN(r.bestMetric())
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", best validation %.4f %s%s",
                                r.bestMetric(),
                                r.bestEpoch() == 0
                                        ? "before this stage (kept the starting weights)"
                                        : "at epoch " + r.bestEpoch(),
                                r.stoppedEarly() ? " (early stop)" : ""));
        out.flush();
    }
}
