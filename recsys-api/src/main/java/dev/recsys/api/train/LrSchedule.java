package dev.recsys.api.train;

import dev.recsys.api.config.Schedule;

/**
 * Learning rate at step t (0-based) of T: linear warm-up from {@code peak/warmup} to the peak over
 * {@code warmup} steps, then CONSTANT, LINEAR or COSINE decay to {@code minRatio × peak} at step
 * {@code T-1}.
 */
public record LrSchedule(Schedule schedule, float peak, int warmup, long totalSteps, float minRatio) {

    public float at(long t) {
        if (warmup > 0 && t < warmup) {
            return peak * (t + 1) / warmup;
        }
        if (schedule == Schedule.CONSTANT) {
            return peak;
        }
        long span = Math.max(1, totalSteps - 1 - warmup);
        double progress = Math.min(1.0, Math.max(0.0, (double) (t - warmup) / span));
        double floor = peak * (double) minRatio;
        double f = schedule == Schedule.LINEAR ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (floor + (peak - floor) * f);
    }
}
