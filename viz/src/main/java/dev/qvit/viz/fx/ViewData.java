package dev.qvit.viz.fx;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeImages;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import java.util.List;

/**
 * Everything the views draw, as plain immutable data: the run so far and the snapshot the step slider points at.
 *
 * @param title           "W4A4 IRM+DGD" or "FP teacher tiny"
 * @param images          the probe images
 * @param teacher         the teacher's snapshot (student runs), or null
 * @param current         the selected snapshot of the model being trained, or null before the first probe
 * @param history         every kept snapshot, in step order
 * @param steps           every step's metrics so far
 * @param epochs          every finished epoch
 * @param teacherAccuracy the teacher's test accuracy (0..1) or NaN
 */
public record ViewData(String title, ProbeImages images, ModelSnapshot teacher, ProbeSnapshot current,
                       List<ProbeSnapshot> history, List<StepMetrics> steps, List<EpochMetrics> epochs,
                       double teacherAccuracy) {

    public ViewData {
        history = List.copyOf(history);
        steps = List.copyOf(steps);
        epochs = List.copyOf(epochs);
    }

    public static ViewData empty() {
        return new ViewData("no run yet", null, null, null, List.of(), List.of(), List.of(), Double.NaN);
    }

    public boolean hasSnapshot() {
        return current != null;
    }

    public ModelSnapshot model() {
        return current == null ? null : current.model();
    }

    /** The DGD of the last step at or before the selected snapshot that computed it, or null. */
    public DistillationLoss distillation() {
        long limit = current == null ? Long.MAX_VALUE : current.step();
        for (int i = steps.size() - 1; i >= 0; i--) {
            StepMetrics m = steps.get(i);
            if (m.step() <= limit && m.distillation() != null) {
                return m.distillation();
            }
        }
        return null;
    }

    /** The model's name in legends: "student" in a QAT run, "teacher" when it is the full-precision teacher. */
    public String modelName() {
        return teacher == null ? "teacher" : "student";
    }
}
