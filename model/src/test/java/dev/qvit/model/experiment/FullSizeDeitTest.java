package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.LayerGeometry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model of DeiT-T's shape (timm's deit_tiny_patch16_224: D 192, 12 blocks of 3 heads, MLP 768, 1000 classes,
 * 5.7 M parameters; random weights, as no model hub is reachable here) saved in timm's names, opened, quantized to
 * 4 bits after training on 8 images and probed on 8: the time and the resident memory it takes, printed for the
 * README and bounded so that a regression shows.
 */
class FullSizeDeitTest {
    static final VitConfig DEIT_TINY = new VitConfig(224, 16, 3, 192, 12, 3, 768, 1000);

    @Test
    void aDeitTinyShapedModelIsQuantizedAndProbedOnEightImages(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("deit_tiny_patch16_224.safetensors");
        TimmSafetensors.export(VisionTransformer.create(DEIT_TINY, 7), file);
        Path images = Files.createDirectory(dir.resolve("images"));
        Random random = new Random(1);
        for (int i = 0; i < 8; i++) {
            BufferedImage image = new BufferedImage(320, 256, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 320; x++) {
                    image.setRGB(x, y, (x * 255 / 320) << 16 | (y * 255 / 256) << 8 | random.nextInt(256));
                }
            }
            ImageIO.write(image, "png", images.resolve("image-" + i + ".png").toFile());
        }
        long rssBefore = ResidentMemory.currentBytes();
        ResidentMemory.resetPeak();
        long start = System.nanoTime();
        PostTrainingQuantization.Result r = PostTrainingQuantization.run(new PostTrainingQuantization.Spec(file, 0,
                images, QuantizationConfig.of(4, QuantizationConfig.Rectification.NONE), 8, 8));
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = ResidentMemory.peakBytes();
        System.out.printf("DeiT-T shape (%,d parameters): open + PTQ W4A4 on 8 images %.1f s, probe of 8 images "
                        + "(FP and W4A4, with statistics) %.1f s, all with both folder evaluations %.1f s; resident "
                        + "%.0f MB before, peak %.0f MB%n", r.teacher().parameters().size(),
                r.calibrateMillis() / 1000.0, r.probeMillis() / 1000.0, seconds, rssBefore / 1e6, peak / 1e6);
        assertThat(r.teacher().config()).isEqualTo(DEIT_TINY);
        LayerGeometry block = r.studentSnapshot().geometry(11);
        assertThat(block.tokens()).isEqualTo(197);
        assertThat(block.heads()).isEqualTo(3);
        assertThat(r.studentSnapshot().attentionImages()).isEqualTo(8);
        assertThat(r.blocks()).hasSize(12);
        assertThat(seconds).as("seconds for the whole inspection").isLessThan(180);
        if (peak > 0) {
            assertThat(peak).as("peak resident bytes").isLessThan(6L << 30);
        }
    }
}
