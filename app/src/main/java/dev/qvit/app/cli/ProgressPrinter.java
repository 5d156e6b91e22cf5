package dev.qvit.app.cli;

import dev.qvit.model.experiment.RunEvent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.io.PrintStream;

/** Terminal progress: a live line while an epoch runs (on a console) and one summary line per epoch. */
final class ProgressPrinter implements RunEvent.Handler {
    private final PrintStream out;
    private final int epochs;
    private final boolean live;
    private long lastPrint;
    private StepMetrics last;

    ProgressPrinter(PrintStream out, int epochs) {
        this.out = out;
        this.epochs = epochs;
        this.live = System.console() != null;
    }

    @Override
    public void step(RunEvent.Step e) {
        StepMetrics m = e.metrics();
        last = m;
        long now = System.nanoTime();
        if (live && now - lastPrint > 500_000_000L) {
            lastPrint = now;
            out.printf("\r  epoch %d/%d  step %d/%d  loss %.4f  %.0f img/s  ETA %s   ", m.epoch() + 1, epochs, m.step() + 1,
                    m.totalSteps(), m.loss(), m.imagesPerSecond(), clock(m.etaSeconds()));
            out.flush();
        }
    }

    @Override
    public void epoch(RunEvent.Epoch e) {
        EpochMetrics m = e.metrics();
        if (live) {
            out.print("\r" + " ".repeat(90) + "\r");
        }
        double eta = last == null ? 0 : last.etaSeconds();
        out.printf("epoch %3d/%d  loss %.4f  train %6.2f%%  test loss %.4f  test %6.2f%%  %5.0f img/s  elapsed %s  ETA %s%n",
                m.epoch() + 1, epochs, m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(),
                m.imagesPerSecond(), clock(m.elapsedSeconds()), clock(eta));
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? "%d:%02d:%02d".formatted(s / 3600, s / 60 % 60, s % 60) : "%d:%02d".formatted(s / 60, s % 60);
    }
}
