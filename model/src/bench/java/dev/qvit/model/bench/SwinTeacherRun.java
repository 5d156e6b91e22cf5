package dev.qvit.model.bench;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.io.Safetensors;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.swin.SwinTransformer;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.nio.file.Path;

/**
 * Trains the Swin preset as a teacher with the ViT teacher's recipe (ExperimentSpec.teacherRecipe, the warm-up
 * given), before Swin runs through the experiment specs: one line per epoch, the weights by timm's names at the end.
 * Args: data (full|bundled) epochs warmup threads out.safetensors [trainLimit].
 */
public final class SwinTeacherRun {
    private SwinTeacherRun() {
    }

    public static void main(String[] args) throws Exception {
        FashionMnist.Splits data = FashionMnist.load(args[0]);
        int epochs = Integer.parseInt(args[1]);
        double warmup = Double.parseDouble(args[2]);
        int threads = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        if (args.length > 5) {
            data = new FashionMnist.Splits(data.train().head(Integer.parseInt(args[5])), data.test(), data.description());
        }
        TrainingConfig recipe = ExperimentSpec.teacherRecipe(epochs, 1e-3, 0);
        TrainingConfig config = new TrainingConfig(recipe.epochs(), recipe.batchSize(), recipe.learningRate(),
                recipe.minLearningRate(), warmup, recipe.weightDecay(), recipe.gradientClip(), recipe.seed(),
                recipe.augment());
        SwinTransformer model = SwinTransformer.create(SwinConfig.tiny(), 0);
        System.out.printf("swin tiny: %,d parameters, %s, %d threads%n", model.parameters().size(), data.description(),
                threads);
        long start = System.nanoTime();
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, model)) {
            Trainer trainer = new Trainer(config, workers, model.parameters());
            trainer.run(data.train(), data.test(), new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    if (m.step() % 100 == 0) {
                        System.out.printf("step %d/%d loss %.4f %.0f img/s%n", m.step(), m.totalSteps(), m.loss(),
                                m.imagesPerSecond());
                    }
                }

                @Override
                public void onEpoch(EpochMetrics m) {
                    System.out.printf("epoch %d train %.4f %.2f %% test %.4f %.2f %% %.0f img/s %.0f s%n", m.epoch(),
                            m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(),
                            m.imagesPerSecond(), (System.nanoTime() - start) / 1e9);
                }
            }, new RunControl());
        }
        Safetensors.Writer writer = new Safetensors.Writer();
        for (Parameter p : model.parameters().parameters()) {
            writer.put(p.name(), Tensors.floats(p.value()), p.value().shape());
        }
        writer.metadata("qvit.swin.config", SwinConfig.tiny().toString()).write(out);
        System.out.println("wrote " + out);
    }
}
