package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run's numbers do not depend on how many threads compute it: the same spec trained with 1, 2 and 4 threads ends
 * with bit-identical weights, and a saved student evaluates to the accuracy its training reported, with any number
 * of threads.
 */
class ThreadCountDeterminismTest {
    private static final VitConfig SMALL = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
    private static final ImageDataset TRAIN = FashionMnist.bundled().train().head(50);   // batches of 40 and 10
    private static final ImageDataset TEST = FashionMnist.bundled().test().head(30);
    private static final TrainingConfig RECIPE = new TrainingConfig(1, 40, 2e-3, 1e-5, 0, 0, 0, 3, true);

    /** A variant of the ablation: IRM form and DGD on or off. */
    record Variant(String name, Rectification irm, boolean dgd) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        List<Variant> variants = List.of(new Variant("base", Rectification.NONE, false),
                new Variant("IRM(token)", Rectification.TOKEN, false),
                new Variant("IRM(distribution)", Rectification.DISTRIBUTION, false),
                new Variant("DGD", Rectification.NONE, true),
                new Variant("IRM(token)+DGD", Rectification.TOKEN, true),
                new Variant("IRM(distribution)+DGD", Rectification.DISTRIBUTION, true));
        return Stream.of(2, 4).flatMap(bits -> variants.stream().map(v -> Arguments.of(bits, v)));
    }

    @ParameterizedTest(name = "W{0} {1}")
    @MethodSource("variants")
    void oneTwoAndFourThreadsTrainBitIdenticalStudents(int bits, Variant variant) throws InterruptedException {
        // given one teacher and one recipe (two steps, the second on a short batch of 10 images)
        VisionTransformer teacher = VisionTransformer.create(SMALL, 5);
        float[] initial = studentOf(teacher, bits, variant).parameters().values().dup().data().asFloat();
        // when the same student is trained with 1, 2 and 4 threads
        Run one = train(teacher, bits, variant, 1);
        Run two = train(teacher, bits, variant, 2);
        Run four = train(teacher, bits, variant, 4);
        // then training moved the weights, and every thread count ends with exactly the same ones
        assertThat(one.weights()).as("training changed the weights").isNotEqualTo(initial);
        assertThat(two.weights()).as("2 threads vs 1").isEqualTo(one.weights());
        assertThat(four.weights()).as("4 threads vs 1").isEqualTo(one.weights());
        assertThat(List.of(two.epoch(), four.epoch())).allSatisfy(e -> assertThat(e).usingRecursiveComparison()
                .ignoringFields("imagesPerSecond", "elapsedSeconds").isEqualTo(one.epoch()));
    }

    @Test
    void aSavedStudentEvaluatesToTheAccuracyItsTrainingReportedWithAnyThreadCount(@TempDir Path dir) throws Exception {
        // given a 2-bit distribution-IRM student trained with 2 threads, which reported its test accuracy
        VisionTransformer teacher = VisionTransformer.create(SMALL, 5);
        Variant variant = new Variant("IRM(distribution)", Rectification.DISTRIBUTION, false);
        Run trained = train(teacher, 2, variant, 2);
        Path file = dir.resolve("student.qvit");
        Checkpoint.save(file, "student", trained.student(), Map.of());
        // when the saved file is loaded and evaluated with 1 and 2 threads
        double withOne = evaluate(Checkpoint.load(file), 1);
        double withTwo = evaluate(Checkpoint.load(file), 2);
        // then both give exactly the reported accuracy
        assertThat(withOne).isEqualTo(trained.epoch().testAccuracy());
        assertThat(withTwo).isEqualTo(trained.epoch().testAccuracy());
    }

    private record Run(VisionTransformer student, float[] weights, EpochMetrics epoch) {
    }

    private static Run train(VisionTransformer teacher, int bits, Variant variant, int threads)
            throws InterruptedException {
        VisionTransformer student = studentOf(teacher, bits, variant);
        DistillationSettings dgd = variant.dgd() ? DistillationSettings.on(0.1)
                : new DistillationSettings(false, 0.1, dev.qvit.model.quant.DistributionGuidedDistillation.Norm.HEAD, 2);
        List<EpochMetrics> epochs = new ArrayList<>();
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(threads, student, teacher, dgd)) {
            QuantizationAwareTraining.trainer(RECIPE, workers).run(TRAIN, TEST, new TrainingListener() {
                @Override
                public void onEpoch(EpochMetrics m) {
                    epochs.add(m);
                }
            }, new RunControl());
        }
        return new Run(student, student.parameters().values().dup().data().asFloat(), epochs.get(0));
    }

    private static VisionTransformer studentOf(VisionTransformer teacher, int bits, Variant variant) {
        return QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(bits, variant.irm()),
                BatchLoader.firstImages(TRAIN, 40));
    }

    private static double evaluate(dev.qvit.model.vit.Backbone model, int threads) {
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, model)) {
            return Evaluator.evaluate(workers, TEST).accuracy();
        }
    }
}
