package dev.qvit.model.swin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.train.ClassificationObjective;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.ParallelWorkers;
import dev.qvit.model.train.QuantizationAwareObjective;
import dev.qvit.model.train.QuantizationAwareTraining;
import dev.qvit.model.train.RunControl;
import dev.qvit.model.train.Trainer;
import dev.qvit.model.train.TrainingConfig;
import dev.qvit.model.train.TrainingListener;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A Swin teacher and its quantized students train on the data-parallel trainer like the ViT: the same weights to
 * the bit with 1 and 2 threads (distribution IRM's batch statistics and DGD's per-window terms included), and the
 * DGD term is part of the objective.
 */
class SwinTrainingTest {
    /** 14x14 tokens in 2x2 windows of 7 (stage 0, shifted on block 1), then one 7x7 window. */
    private static final SwinConfig SMALL = new SwinConfig(28, 2, 1, 8, List.of(2, 1), List.of(1, 2), 7, 2, 10);
    private static final ImageDataset TRAIN = FashionMnist.bundled().train().head(50);   // batches of 40 and 10
    private static final ImageDataset TEST = FashionMnist.bundled().test().head(30);
    private static final TrainingConfig RECIPE = new TrainingConfig(1, 40, 2e-3, 1e-5, 0, 0, 0, 3, true);

    @Test
    void aTeacherTrainsBitIdenticallyWithOneAndTwoThreads() throws InterruptedException {
        float[] one = teacher(1).parameters().values().dup().data().asFloat();
        float[] two = teacher(2).parameters().values().dup().data().asFloat();
        assertThat(one).isNotEqualTo(SwinTransformer.create(SMALL, 5).parameters().values().dup().data().asFloat());
        assertThat(two).isEqualTo(one);
    }

    @ParameterizedTest(name = "W{0} {1}, DGD {2}")
    @CsvSource({"2, NONE, false", "2, DISTRIBUTION, true", "4, TOKEN, true"})
    void studentsTrainBitIdenticallyWithOneAndTwoThreads(int bits, Rectification irm, boolean dgd)
            throws InterruptedException {
        SwinTransformer teacher = SwinTransformer.create(SMALL, 5);
        List<Double> losses = new ArrayList<>();
        float[] one = student(teacher, bits, irm, dgd, 1, losses);
        float[] two = student(teacher, bits, irm, dgd, 2, new ArrayList<>());
        float[] initial = studentOf(teacher, bits, irm).parameters().values().dup().data().asFloat();
        assertThat(one).as("training changed the weights").isNotEqualTo(initial);
        assertThat(two).as("2 threads vs 1").isEqualTo(one);
        assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
    }

    @Test
    void dgdAddsItsTermToTheObjective() throws InterruptedException {
        SwinTransformer teacher = SwinTransformer.create(SMALL, 5);
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        student(teacher, 4, Rectification.TOKEN, true, 1, with);
        student(teacher, 4, Rectification.TOKEN, false, 1, without);
        // the first step starts from the same weights: the objective with DGD is larger by lambda * L_DGD > 0
        assertThat(with.get(0)).isGreaterThan(without.get(0));
    }

    private static SwinTransformer teacher(int threads) throws InterruptedException {
        SwinTransformer model = SwinTransformer.create(SMALL, 5);
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(threads, model)) {
            new Trainer(RECIPE, workers, model.parameters()).run(TRAIN, TEST, new TrainingListener() {
            }, new RunControl());
        }
        return model;
    }

    private static SwinTransformer studentOf(SwinTransformer teacher, int bits, Rectification irm) {
        return QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(bits, irm), BatchLoader.firstImages(TRAIN, 40));
    }

    private static float[] student(SwinTransformer teacher, int bits, Rectification irm, boolean dgd, int threads,
                                   List<Double> losses) throws InterruptedException {
        SwinTransformer student = studentOf(teacher, bits, irm);
        DistillationSettings settings = dgd ? DistillationSettings.on(0.1)
                : new DistillationSettings(false, 0.1, dev.qvit.model.quant.DistributionGuidedDistillation.Norm.HEAD, 2);
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(threads, student, teacher, settings)) {
            QuantizationAwareTraining.trainer(RECIPE, workers).run(TRAIN, TEST, new TrainingListener() {
                @Override
                public void onStep(StepMetrics m) {
                    losses.add(m.loss());
                }

                @Override
                public void onEpoch(EpochMetrics m) {
                    assertThat(m.testAccuracy()).isBetween(0.0, 1.0);
                }
            }, new RunControl());
        }
        return student.parameters().values().dup().data().asFloat();
    }
}
