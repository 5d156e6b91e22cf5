package dev.qvit.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.ParityVectors;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A folder of RGB, grey, RGBA and palette PNGs through timm's DeiT evaluation transform against Pillow's
 * (reference/make_rgb_vectors.py): the same pixels after the bicubic resize and the centre crop, to the last bit;
 * then a DeiT-shaped model at 224 pixels in timm's names against PyTorch's logits on them.
 */
class ImageFolderTest {
    private static final Path IMAGES = resource("/images/rgb");
    private static final ImageFolder FOLDER = ImageFolder.read(IMAGES, EvalTransform.deit());
    private final ParityVectors vectors = new ParityVectors("rgb");

    @Test
    void classFoldersGiveTheLabelsInSortedOrder() {
        ImageFolder folder = FOLDER;
        assertThat(folder.classes()).containsExactly("ants", "bees");
        assertThat(folder.labels()).containsExactly(0, 0, 0, 1, 1, 1);
        assertThat(folder.files()).extracting(p -> p.getFileName().toString())
                .containsExactly("grey.png", "tall.png", "wide.png", "alpha.png", "palette.png", "small.png");
        assertThat(folder.images()).allSatisfy(x -> assertThat(x).hasSize(3 * 224 * 224));
    }

    @Test
    void everyImageHasPillowsPixelsAfterTheResizeAndCrop() throws Exception {
        ImageFolder folder = FOLDER;
        for (int i = 0; i < folder.files().size(); i++) {
            Path file = folder.files().get(i);
            String name = file.getParent().getFileName() + "." + file.getFileName();
            BufferedImage crop = ImageIO.read(resource("/parity/rgb/" + name).toFile());
            int[][] planes = EvalTransform.rgbPlanes(crop);
            float[] expected = new float[3 * 224 * 224];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 224 * 224; p++) {
                    float v = planes[c][p] / 255f;
                    expected[c * 224 * 224 + p] = (v - EvalTransform.IMAGENET_MEAN[c]) / EvalTransform.IMAGENET_STD[c];
                }
            }
            assertThat(firstDifference(folder.images().get(i), expected)).as(name + ": first differing element")
                    .isEqualTo(-1);
        }
        // and the whole transform of one image, normalisation included, as PyTorch computed it
        assertThat(firstDifference(folder.images().get(2), vectors.array("ants.wide").floats())).isEqualTo(-1);
    }

    @Test
    void aDeitShapedModelAt224PixelsGivesPyTorchsLogits() throws Exception {
        ImageFolder folder = FOLDER;
        VisionTransformer model = TimmSafetensors.load(resource("/parity/rgb/deit224.safetensors"), 0);
        assertThat(model.config()).isEqualTo(new VitConfig(224, 16, 3, 64, 2, 1, 128, 10));
        assertThat(model.config().numTokens()).isEqualTo(197);
        INDArray input = Nd4j.createFromArray(folder.batch()).reshape(6, 3, 224, 224);
        float[] logits = model.forward(input, false).dup().data().asFloat();
        // PyTorch's order is the order the reference wrote the images in: ants wide, tall, grey, bees alpha, ...
        int[] reference = {2, 1, 0, 3, 4, 5};
        float[] expected = vectors.array("logits").floats();
        float[] reordered = new float[expected.length];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(expected, reference[i] * 10, reordered, i * 10, 10);
        }
        ParityVectors.assertCloseToScale(logits, reordered, 1e-4);
    }

    @Test
    void aFolderWithoutImagesOrAFileThatIsNoImageIsRefusedInOneSentence(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ImageFolder.read(dir, EvalTransform.deit())).isInstanceOf(DatasetException.class)
                .hasMessageContaining("holds no PNG or JPEG image");
        Files.writeString(dir.resolve("broken.png"), "not a png");
        assertThatThrownBy(() -> ImageFolder.read(dir, EvalTransform.deit())).isInstanceOf(DatasetException.class)
                .hasMessageContaining("broken.png");
        assertThatThrownBy(() -> ImageFolder.read(dir.resolve("missing"), EvalTransform.deit()))
                .isInstanceOf(DatasetException.class).hasMessageContaining("is not a folder");
    }

    private static int firstDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        return java.util.Arrays.mismatch(a, b);
    }

    private static Path resource(String name) {
        try {
            return Path.of(ImageFolderTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
