package dev.qvit.model.bench;

import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How much of a probe holds up the workers: the bench's 4-bit QAT step (token IRM, DGD 0.1, batch 128, 2
 * threads) run headless and then probed after every step, median step times after {@code warmup} steps. A probe
 * that blocks the workers adds its whole time to a step; one run alongside the next step adds less.
 * Usage: ProbeOverlap [warmup] [timed].
 */
public final class ProbeOverlap {
    private ProbeOverlap() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        VitConfig config = VitConfig.tiny();
        VisionTransformer teacher = VisionTransformer.create(config, 0);
        int steps = warmup + timed;
        ExperimentSpec spec = new ExperimentSpec(ExperimentSpec.SCHEMA_VERSION, ExperimentSpec.Kind.STUDENT, config,
                new ExperimentSpec.Data("bundled", 128 * steps, 128), "random",
                QuantizationConfig.of(4, QuantizationConfig.Rectification.TOKEN), DistillationSettings.on(0.1),
                new TrainingConfig(1, 128, 1e-4, 0, 0, 0, 0, 0, false));
        for (int round = 0; round < 2; round++) {
            double headless = medianStepMs(spec, teacher, RunOptions.headless(2), warmup);
            double probed = medianStepMs(spec, teacher, RunOptions.headless(2).probingEvery(0), warmup);
            System.out.printf("headless %.1f ms, probed after every step %.1f ms: +%.1f ms per probe%n",
                    headless, probed, probed - headless);
        }
    }

    private static double medianStepMs(ExperimentSpec spec, VisionTransformer teacher, RunOptions options,
                                       int warmup) throws InterruptedException {
        List<Double> ms = new ArrayList<>();
        double[] previous = {0};
        ExperimentRun.prepare(spec, new ExperimentRun.Teacher(teacher, Double.NaN), options).run(
                RunEvent.Listener.of(new RunEvent.Handler() {
                    @Override
                    public void step(RunEvent.Step e) {
                        double elapsed = e.metrics().elapsedSeconds();
                        if (e.metrics().step() >= warmup) {
                            ms.add((elapsed - previous[0]) * 1000);
                        }
                        previous[0] = elapsed;
                    }
                }), new RunControl());
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }
}
