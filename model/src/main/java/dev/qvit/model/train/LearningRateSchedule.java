package dev.qvit.model.train;

/**
 * Linear warm-up from {@code warmupStart} to {@code base} over {@code warmupSteps}, then cosine decay to
 * {@code min} at {@code totalSteps} (DeiT recipe, method doc section 6).
 */
public record LearningRateSchedule(double base, double min, double warmupStart, long warmupSteps, long totalSteps) {

    public LearningRateSchedule {
        if (!(base > 0) || min < 0 || min > base || warmupSteps < 0 || totalSteps <= 0) {
            throw new IllegalArgumentException("bad learning-rate schedule: base %g min %g warm-up %d total %d"
                    .formatted(base, min, warmupSteps, totalSteps));
        }
    }

    /** Learning rate of step {@code t} (0-based). */
    public double at(long t) {
        if (t < warmupSteps) {
            return warmupStart + (base - warmupStart) * t / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (t - warmupSteps) / decaySteps);
        return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * progress));
    }
}
