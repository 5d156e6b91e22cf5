package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.snapshot.EpochMetrics;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class DataParallelTest {
    private static final VitConfig SMALL = new VitConfig(28, 7, 1, 16, 1, 2, 32, 10);
    private final ImageDataset train = FashionMnist.bundled().train().head(600);

    @Test
    void twoWorkersGiveTheGradientOfOneWorkerOnTheWholeBatch() {
        // given the same weights, one worker on 10 images and three workers splitting them 4/3/3
        VisionTransformer single = new VisionTransformer(SMALL, DataType.DOUBLE);
        single.init(new Random(1));
        VisionTransformer primary = new VisionTransformer(SMALL, DataType.DOUBLE);
        primary.parameters().values().assign(single.parameters().values());
        int[] order = BatchLoader.shuffledOrder(train.count(), new Random(2));
        BatchLoader loader = new BatchLoader(train, null);
        try (ParallelWorkers<ClassificationObjective> one = workers(1, single);
             ParallelWorkers<ClassificationObjective> three = workers(3, primary)) {
            // when each takes one step with learning rate 0 (gradients only)
            Trainer a = new Trainer(config(), one, single.parameters());
            Trainer b = new Trainer(config(), three, primary.parameters());
            SliceResult ra = a.trainOnBatch(loader, order, 0, 10, 1e-12);
            SliceResult rb = b.trainOnBatch(loader, order, 0, 10, 1e-12);
            // then the loss and the reduced gradient agree
            assertThat(rb.lossSum()).isCloseTo(ra.lossSum(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(primary.parameters().grads().equalsWithEps(single.parameters().grads(), 1e-10)).isTrue();
        }
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

    private List<EpochMetrics> run(long seed) throws InterruptedException {
        VisionTransformer model = VisionTransformer.create(SMALL, seed);
        List<EpochMetrics> epochs = new ArrayList<>();
        try (ParallelWorkers<ClassificationObjective> w = workers(2, model)) {
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

    private static ParallelWorkers<ClassificationObjective> workers(int n, VisionTransformer primary) {
        return new ParallelWorkers<>(n, k -> new ClassificationObjective(k == 0 ? primary : VisionTransformer.replicaOf(primary)));
    }

    private static TrainingConfig config() {
        return new TrainingConfig(1, 10, 1e-3, 0, 0, 0, 0, 0, false);
    }
}
