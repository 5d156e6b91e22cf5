package dev.qvit.sessions;

import dev.qvit.model.experiment.ExperimentSpec;

/**
 * One row of the sessions list.
 *
 * @param accuracy last finished epoch's test accuracy (0..1), NaN before one; {@code problem} is set (and the rest
 *                 may be null) for a folder that cannot be read
 */
public record SessionSummary(String id, String name, String created, String label, String config, Integer bits,
                             String irm, String dgd, double accuracy, long steps, MetricsStore.State state,
                             String problem) {

    static SessionSummary of(SessionView v) throws SessionException {
        ExperimentSpec s = v.spec();
        boolean student = s.kind() == ExperimentSpec.Kind.STUDENT;
        String irm = !student ? "-" : s.quantization().rectified()
                ? s.quantization().rectification().name().toLowerCase(java.util.Locale.ROOT) : "off";
        String dgd = !student ? "-" : s.distillation().enabled() ? "λ " + s.distillation().lambda() : "off";
        return new SessionSummary(v.dir().getFileName().toString(), v.info().name(), v.info().created(), s.label(),
                s.model() == null ? "teacher's" : s.model().presetName(), student ? s.quantization().bits() : null,
                irm, dgd, v.testAccuracy(), v.stepCount(), v.state(),
                null);
    }

    static SessionSummary unreadable(String id, String problem) {
        return new SessionSummary(id, null, null, null, null, null, null, null, Double.NaN, 0, null, problem);
    }
}
