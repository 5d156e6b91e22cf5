package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.quant.DistributionRectification;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.EpochMetrics;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.factory.Nd4j;

/** The slices of a batch compute what one model computes on the whole batch. */
class DataParallelTest {
    private static final VitConfig SMALL = new VitConfig(28, 7, 1, 16, 1, 2, 32, 10);
    private static final int BATCH = 21;                               // 4 slices of 6 or 5 images
    private final ImageDataset train = FashionMnist.bundled().train().head(600);

    @Test
    void slicesGiveTheGradientOfOneModelOnTheWholeBatch() {
        // given one model and a replica of it that sees the whole batch
        VisionTransformer model = new VisionTransformer(SMALL, DataType.DOUBLE);
        model.init(new Random(1));
        Batch batch = batch();
        ClassificationObjective whole = new ClassificationObjective(VisionTransformer.replicaOf(model));
        whole.trainStep(batch.images(), batch.labels(), BATCH, 0);
        try (ParallelWorkers<ClassificationObjective> workers = ClassificationObjective.workers(3, model)) {
            // when the batch is split into the slices and their gradients reduced
            OneStep.run(new Trainer(config(), workers, model.parameters()), batch.data());
            // then the reduced gradient is the whole batch's
            assertThat(relativeDifference(model.parameters().grads(), whole.parameters().grads())).isLessThan(1e-12);
        }
    }

    @ParameterizedTest
    @EnumSource(Rectification.class)
    void slicedQuantizedStepGivesTheGradientOfTheWholeBatchWithEveryIrmForm(Rectification form) {
        // given a float64 student with DGD, its quantizers initialised on the batch, and a replica that sees it whole
        VisionTransformer teacher = new VisionTransformer(SMALL, DataType.DOUBLE);
        teacher.init(new Random(2));
        Batch batch = batch();
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher, QuantizationConfig.of(4, form),
                BatchLoader.firstImages(train, BATCH).castTo(DataType.DOUBLE));
        DistillationSettings dgd = DistillationSettings.on(0.1);
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(2, student, teacher, dgd)) {
            Trainer trainer = QuantizationAwareTraining.trainer(config(), workers);
            QuantizationAwareTraining.initializeQuantizers(workers, batch.images(), BATCH);
            QuantizationAwareObjective whole = new QuantizationAwareObjective(VisionTransformer.replicaOf(student),
                    VisionTransformer.replicaOf(teacher), dgd);
            SliceResult expected = whole.trainStep(batch.images(), batch.labels(), BATCH, 0);
            // when the sliced step runs
            double slicedLossSum = OneStep.run(trainer, batch.data()).get(0).loss() * BATCH;
            // then loss and gradient are the whole batch's (per-slice IRM statistics differed by ~25 %)
            assertThat(slicedLossSum).isCloseTo(expected.lossSum(), within(1e-9 * Math.abs(expected.lossSum())));
            assertThat(relativeDifference(student.parameters().grads(), whole.parameters().grads())).isLessThan(1e-10);
        }
    }

    @Test
    void runningStatisticsTakeTheWholeBatchOncePerStep() {
        // given a distribution-IRM student whose running statistics start at the teacher's
        VisionTransformer teacher = new VisionTransformer(SMALL, DataType.DOUBLE);
        teacher.init(new Random(3));
        Batch batch = batch();
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, Rectification.DISTRIBUTION), BatchLoader.firstImages(train, 64).castTo(DataType.DOUBLE));
        DistributionRectification irm = (DistributionRectification) student.blocks().get(0).attention().quantizers()
                .queryRectification();
        try (ParallelWorkers<QuantizationAwareObjective> workers =
                     QuantizationAwareTraining.workers(2, student, teacher, DistillationSettings.on(0.1))) {
            Trainer trainer = QuantizationAwareTraining.trainer(config(), workers);
            QuantizationAwareTraining.initializeQuantizers(workers, batch.images(), BATCH);
            double[] before = irm.runningMean().toDoubleVector();
            VisionTransformer whole = VisionTransformer.replicaOf(student);
            INDArray wholeBatch = Predictions.copyInto(batch.images(), Nd4j.create(DataType.DOUBLE, BATCH, 1, 28, 28));
            double[] batchMean = headMeans(whole.trace(wholeBatch, true).attention().get(0).query());
            // when one sliced step runs
            OneStep.run(trainer, batch.data());
            // then the running mean moved by momentum 0.1 towards the whole batch's mean, once
            double[] after = irm.runningMean().toDoubleVector();
            for (int h = 0; h < after.length; h++) {
                assertThat(after[h]).isCloseTo(0.9 * before[h] + 0.1 * batchMean[h], within(1e-12));
                assertThat(Math.abs(after[h] - before[h])).as("the step moved the running mean").isGreaterThan(1e-6);
            }
        }
    }

    @Test
    void aReplicaMadeAfterCalibrationQuantizesExactlyAsItsModel() {
        // given a student whose quantizers were initialised on a training batch
        VisionTransformer teacher = VisionTransformer.create(SMALL, 4);
        INDArray images = BatchLoader.firstImages(train, 32);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, Rectification.DISTRIBUTION), images);
        student.forward(images, true);
        INDArray expected = student.forward(images, false).dup();
        // when a replica is made afterwards and evaluates the same images
        INDArray replica = VisionTransformer.replicaOf(student).forward(images, false);
        // then it gives the model's logits bit for bit
        assertThat(replica.data().asFloat()).isEqualTo(expected.data().asFloat());
    }

    @Test
    void replicasShareWeightsButNotGradients() {
        VisionTransformer primary = VisionTransformer.create(SMALL, 0);
        VisionTransformer replica = VisionTransformer.replicaOf(primary);
        primary.parameters().values().addi(1.0);
        assertThat(replica.parameters().values().equalsWithEps(primary.parameters().values(), 0)).isTrue();
        assertThat(replica.parameters().grads()).isNotSameAs(primary.parameters().grads());
    }

    @Test
    void sameSeedGivesTheSameRunAndTrainingLearns() throws InterruptedException {
        List<EpochMetrics> first = run(11);
        List<EpochMetrics> again = run(11);
        assertThat(again.get(2).testAccuracy()).isEqualTo(first.get(2).testAccuracy());
        assertThat(again.get(2).trainLoss()).isEqualTo(first.get(2).trainLoss());
        assertThat(first.get(2).trainLoss()).isLessThan(first.get(0).trainLoss());
        assertThat(first.get(2).testAccuracy()).as("test accuracy after 3 short epochs, chance is 0.1").isGreaterThan(0.18);
    }

    private record Batch(ImageDataset data, float[] images, int[] labels) {
    }

    private Batch batch() {
        int[] order = BatchLoader.shuffledOrder(train.count(), new Random(2));
        BatchLoader loader = new BatchLoader(train, null);
        float[] images = new float[BATCH * train.imageSize()];
        int[] labels = new int[BATCH];
        loader.fill(order, 0, BATCH, images, labels);
        return new Batch(train.select(java.util.Arrays.copyOf(order, BATCH), "batch"), images, labels);
    }

    private static double[] headMeans(INDArray perHead) {
        INDArray mean = Nd4j.create(perHead.dataType(), perHead.size(1));
        Nd4j.exec(new Mean(perHead, mean, 0, 2, 3));
        return mean.toDoubleVector();
    }

    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
    }

    private List<EpochMetrics> run(long seed) throws InterruptedException {
        VisionTransformer model = VisionTransformer.create(SMALL, seed);
        List<EpochMetrics> epochs = new ArrayList<>();
        try (ParallelWorkers<ClassificationObjective> w = ClassificationObjective.workers(2, model)) {
            TrainingConfig cfg = new TrainingConfig(3, 32, 3e-3, 1e-5, 0.5, 0.05, 1.0, seed, true);
            new Trainer(cfg, w, model.parameters()).run(train, FashionMnist.bundled().test().head(300),
                    new TrainingListener() {
                        @Override
                        public void onEpoch(EpochMetrics m) {
                            epochs.add(m);
                        }
                    }, new RunControl());
        }
        return epochs;
    }

    private static TrainingConfig config() {
        return OneStep.config(BATCH, 1e-30);
    }
}
