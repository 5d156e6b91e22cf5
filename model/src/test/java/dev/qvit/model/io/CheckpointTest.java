package dev.qvit.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final VitConfig SMALL = new VitConfig(8, 4, 1, 8, 2, 2, 12, 3);

    @Test
    void saveThenLoadRestoresEveryParameterAndTheConfig(@TempDir Path dir) throws IOException {
        VisionTransformer model = VisionTransformer.create(SMALL, 5);
        Path file = dir.resolve("m.qvit");
        Checkpoint.save(file, "teacher", model, Map.of("note", "x"));
        VisionTransformer loaded = (VisionTransformer) Checkpoint.load(file);
        assertThat(loaded.config()).isEqualTo(SMALL);
        assertThat(loaded.parameters().values().equalsWithEps(model.parameters().values(), 0)).isTrue();
        assertThat(Checkpoint.readHeader(file).kind()).isEqualTo("teacher");
        assertThat(Checkpoint.readHeader(file).metadata().path("note").asText()).isEqualTo("x");
    }

    @Test
    void aQuantizedSwinComesBackWithItsArchitectureAndCalibration(@TempDir Path dir) throws IOException {
        dev.qvit.model.swin.SwinConfig config = new dev.qvit.model.swin.SwinConfig(28, 2, 1, 8, java.util.List.of(2, 1),
                java.util.List.of(1, 2), 7, 2, 10);
        dev.qvit.model.swin.SwinTransformer teacher = dev.qvit.model.swin.SwinTransformer.create(config, 5);
        org.nd4j.linalg.api.ndarray.INDArray images = dev.qvit.model.data.BatchLoader.firstImages(
                dev.qvit.model.data.FashionMnist.bundled().test(), 8);
        dev.qvit.model.swin.SwinTransformer student = dev.qvit.model.vit.QuantizedStudent.fromTeacher(teacher,
                dev.qvit.model.quant.QuantizationConfig.of(4, dev.qvit.model.quant.QuantizationConfig.Rectification.TOKEN),
                images);
        student.forward(images, true);                                               // LSQ initialisation
        Path file = dir.resolve("swin.qvit");
        Checkpoint.save(file, "student", student, Map.of());
        dev.qvit.model.vit.Backbone loaded = Checkpoint.load(file);
        assertThat(loaded).isInstanceOf(dev.qvit.model.swin.SwinTransformer.class);
        assertThat(loaded.config()).isEqualTo(config);
        assertThat(Checkpoint.readHeader(file).quantization()).isEqualTo(student.quantization());
        float[] expected = student.forward(images, false).dup().data().asFloat();
        assertThat(loaded.forward(images, false).dup().data().asFloat()).containsExactly(expected);
    }

    @Test
    void saveLeavesNoTemporaryFilesBehind(@TempDir Path dir) throws IOException {
        Checkpoint.save(dir.resolve("a.qvit"), "teacher", VisionTransformer.create(SMALL, 1), Map.of());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.qvit");
        }
    }

    @Test
    void notAZipIsAClearError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.qvit");
        Files.writeString(file, "hello, not a checkpoint");
        assertThatThrownBy(() -> Checkpoint.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a Q-ViT checkpoint");
    }

    @Test
    void truncatedCheckpointIsAClearError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.qvit");
        Checkpoint.save(file, "teacher", VisionTransformer.create(SMALL, 1), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Checkpoint.load(file)).isInstanceOf(IOException.class).hasMessageContaining("m.qvit");
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> Checkpoint.load(dir.resolve("none.qvit"))).isInstanceOf(IOException.class)
                .hasMessageContaining("No checkpoint file");
    }
}
