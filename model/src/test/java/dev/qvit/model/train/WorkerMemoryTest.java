package dev.qvit.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.experiment.ResidentMemory;
import dev.qvit.model.nn.NativeMemory;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One process runs cell after cell (an ablation grid): each cell's replicas give their memory back when closed. */
class WorkerMemoryTest {
    private static final long MB = 1L << 20;

    @Test
    void residentMemoryStaysFlatFromCellToCell() {
        assumeTrue(ResidentMemory.currentBytes() > 0, "needs /proc/self/status");
        // given the tiny teacher and a batch of 128 training images
        VisionTransformer teacher = VisionTransformer.create(VitConfig.tiny(), 0);
        ImageDataset train = FashionMnist.bundled().train().head(512);
        int[] order = BatchLoader.shuffledOrder(train.count(), new java.util.Random(0));
        BatchLoader loader = new BatchLoader(train, null);
        List<Long> afterCell = new ArrayList<>();
        long largestGrowth = 0;
        // when four cells each build a student and its slices, train two steps (the second short), close and return unused memory
        for (int cell = 0; cell < 4; cell++) {
            long before = ResidentMemory.currentBytes();
            VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                    QuantizationConfig.of(4, QuantizationConfig.Rectification.DISTRIBUTION), BatchLoader.firstImages(train, 128));
            try (ParallelWorkers<QuantizationAwareObjective> workers =
                         QuantizationAwareTraining.workers(2, student, teacher, DistillationSettings.on(0.1))) {
                Trainer trainer = QuantizationAwareTraining.trainer(OneStep.config(128, 1e-4), workers);
                float[] images = new float[128 * train.imageSize()];
                loader.fill(order, 0, 128, images, new int[128]);
                QuantizationAwareTraining.initializeQuantizers(workers, images, 128);
                OneStep.run(trainer, train.select(java.util.Arrays.copyOf(order, 228), "two steps"));
                largestGrowth = Math.max(largestGrowth, ResidentMemory.currentBytes() - before);
            }
            teacher.parameters().releaseBuffers();
            NativeMemory.returnUnused();
            afterCell.add(ResidentMemory.currentBytes());
        }
        // then a cell holds hundreds of MB while it runs, and none of that stays once it is closed
        assertThat(largestGrowth).as("a cell's working set (premise)").isGreaterThan(300 * MB);
        for (int cell = 1; cell < afterCell.size(); cell++) {
            assertThat(afterCell.get(cell) - afterCell.get(0)).as("resident growth after cell %d", cell)
                    .isLessThan(400 * MB);
        }
    }
}
