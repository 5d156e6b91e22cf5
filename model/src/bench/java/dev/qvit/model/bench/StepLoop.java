package dev.qvit.model.bench;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's full-precision training step on 64 images, repeated (args[0] times, default 300): a steady load to
 * record with a profiler, e.g. -XX:StartFlightRecording. A main, not a test; run with OMP_NUM_THREADS=1.
 */
public final class StepLoop {
    private StepLoop() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Nd4j.factory().blas().setMaxThreads(1);
        VitConfig c = VitConfig.tiny();
        VisionTransformer model = VisionTransformer.create(c, 0);
        ImageDataset data = FashionMnist.bundled().train().head(64);
        float[] images = dev.qvit.model.data.BatchLoader.firstImages(data, 64).data().asFloat();
        int[] labels = new int[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = data.label(i);
        }
        ClassificationObjective objective = new ClassificationObjective(model);
        long start = 0;
        for (int s = 0; s < steps; s++) {
            if (s == 20) {
                start = System.nanoTime();
            }
            objective.trainStep(images, labels, 64, 0);
        }
        System.out.printf("%.2f ms per step%n", (System.nanoTime() - start) / 1e6 / (steps - 20));
    }
}
