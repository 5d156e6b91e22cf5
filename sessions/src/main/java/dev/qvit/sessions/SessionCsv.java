package dev.qvit.sessions;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.util.List;
import java.util.Locale;

/**
 * A session's numbers as CSV: {@code steps.csv} (one row per logged step, DGD per layer and head as columns
 * {@code dgd_q_l0_h0 ...}, empty where not measured) and {@code epochs.csv}. Numbers in full precision
 * (shortest round-trip form).
 */
public final class SessionCsv {
    private SessionCsv() {
    }

    public static String steps(List<StepMetrics> steps) {
        int[] heads = {};
        for (StepMetrics m : steps) {
            if (m.distillation() != null) {
                heads = m.distillation().headsPerLayer();
            }
        }
        int entries = java.util.Arrays.stream(heads).sum();
        StringBuilder sb = new StringBuilder("step,epoch,loss,task_loss,accuracy,learning_rate,gradient_norm,"
                + "images_per_second,elapsed_seconds");
        for (String t : new String[] {"q", "k"}) {
            for (int l = 0; l < heads.length; l++) {
                for (int h = 0; h < heads[l]; h++) {
                    sb.append(",dgd_").append(t).append("_l").append(l).append("_h").append(h);
                }
            }
        }
        sb.append('\n');
        for (StepMetrics m : steps) {
            sb.append(m.step()).append(',').append(m.epoch());
            for (double v : new double[] {m.loss(), m.taskLoss(), m.accuracy(), m.learningRate(), m.gradientNorm(),
                m.imagesPerSecond(), m.elapsedSeconds()}) {
                sb.append(',').append(number(v));
            }
            DistillationLoss d = m.distillation();
            for (int t = 0; t < 2; t++) {
                double[] values = d == null ? null : t == 0 ? d.query() : d.key();
                for (int i = 0; i < entries; i++) {
                    sb.append(',').append(values == null || i >= values.length ? "" : number(values[i]));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String epochs(List<EpochMetrics> epochs) {
        StringBuilder sb = new StringBuilder("epoch,train_loss,train_accuracy,test_loss,test_accuracy,"
                + "images_per_second,elapsed_seconds\n");
        for (EpochMetrics e : epochs) {
            sb.append(e.epoch());
            for (double v : new double[] {e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(),
                e.imagesPerSecond(), e.elapsedSeconds()}) {
                sb.append(',').append(number(v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v).toLowerCase(Locale.ROOT) : "";
    }
}
