package dev.qvit.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * timm-named safetensors both ways: a DeiT written in timm's layout by reference/timm_deit_file.py (NumPy forward of
 * timm's definition) opens here with its logits; ours exported opens there with ours; students keep their calibration.
 */
class TimmSafetensorsTest {
    /** The reference file's size: D 128 = 2 heads of DeiT's 64. */
    private static final VitConfig DEIT_SHAPED = new VitConfig(28, 4, 1, 128, 2, 2, 256, 10);
    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        Path f = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(name)) {
            Files.copy(in, f);
        }
        return f;
    }

    private static INDArray logits(VisionTransformer model, INDArray input) {
        return model.forward(input, false).dup();
    }

    private static double relativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / b.amaxNumber().doubleValue();
    }

    @Test
    void aDeitWrittenInTimmsLayoutOpensWithTheReferenceLogits() throws Exception {
        VisionTransformer model = TimmSafetensors.load(resource("deit-small-timm.safetensors"), 0);
        assertThat(model.config()).isEqualTo(DEIT_SHAPED);
        Safetensors.Content vectors = Safetensors.read(resource("deit-small-vectors.safetensors"));
        INDArray input = Nd4j.createFromArray(vectors.floats("input")).reshape(4, 1, 28, 28);
        INDArray expected = Nd4j.createFromArray(vectors.floats("logits")).reshape(4, 10);
        assertThat(relativeDifference(logits(model, input), expected)).isLessThan(1e-4);
    }

    @Test
    void oursExportedOpensInTimmsLayoutWithOurLogits() throws Exception {
        Path script = Path.of("..", "reference", "timm_deit_file.py");
        VisionTransformer ours = VisionTransformer.create(DEIT_SHAPED, 3);
        Path file = dir.resolve("ours.safetensors");
        TimmSafetensors.export(ours, file);
        Safetensors.Content c = Safetensors.read(file);
        assertThat(c.entry("patch_embed.proj.weight").shape()).containsExactly(128, 1, 4, 4);
        assertThat(c.names()).contains("cls_token", "pos_embed", "blocks.1.attn.qkv.weight", "head.bias")
                .doesNotContain("patch_embed.weight");
        INDArray input = BatchLoader.firstImages(FashionMnist.bundled().test(), 4);
        Path vectors = dir.resolve("vectors.safetensors");
        new Safetensors.Writer().put("input", input.dup().data().asFloat(), 4, 1, 28, 28)
                .put("logits", logits(ours, input).data().asFloat(), 4, 10).write(vectors);
        String python = python("import numpy");
        assumeTrue(Files.exists(script) && python != null, "python3 with NumPy is needed (.ci/run installs "
                + "python3-numpy)");
        Process p = new ProcessBuilder(python, script.toString(), "check", file.toString(), vectors.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("max relative logit difference");
    }

    /** The first Python 3 that runs {@code code}: Debian's, then the one on the PATH; null when none does. */
    private static String python(String code) {
        for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                if (new ProcessBuilder(candidate, "-c", code).start().waitFor() == 0) {
                    return candidate;
                }
            } catch (IOException | InterruptedException e) {
                // try the next
            }
        }
        return null;
    }

    @Test
    void aStudentRoundTripsWithItsQuantizerCalibration() throws Exception {
        VitConfig tiny = new VitConfig(28, 7, 1, 16, 2, 2, 32, 10);
        VisionTransformer teacher = VisionTransformer.create(tiny, 4);
        INDArray images = BatchLoader.firstImages(FashionMnist.bundled().train(), 32);
        VisionTransformer student = QuantizedStudent.fromTeacher(teacher,
                QuantizationConfig.of(2, QuantizationConfig.Rectification.DISTRIBUTION), images);
        student.forward(images, true);                               // calibrates the quantizers
        Path file = dir.resolve("student.safetensors");
        TimmSafetensors.export(student, file);
        VisionTransformer back = TimmSafetensors.load(file, 0);
        assertThat(back.quantization()).isEqualTo(student.quantization());
        for (Parameter p : student.parameters().parameters()) {
            assertThat(back.parameters().get(p.name()).value().data().asFloat()).as(p.name())
                    .isEqualTo(p.value().data().asFloat());
        }
        assertThat(logits(back, images).data().asFloat()).isEqualTo(logits(student, images).data().asFloat());
    }

    @Test
    void aFileThatIsNotThisModelIsRefusedInWords() throws Exception {
        Path good = resource("deit-small-timm.safetensors");
        Safetensors.Content c = Safetensors.read(good);
        Safetensors.Writer missing = new Safetensors.Writer().metadata("format", "pt");
        Safetensors.Writer distilled = new Safetensors.Writer().metadata("format", "pt");
        for (String name : c.names()) {
            long[] shape = c.entry(name).shape();
            if (!name.equals("blocks.1.mlp.fc2.bias")) {
                missing.put(name, c.floats(name), shape);
            }
            distilled.put(name, c.floats(name), shape);
        }
        distilled.put("dist_token", new float[128], 1, 1, 128);
        Path m = dir.resolve("missing.safetensors");
        missing.write(m);
        assertThatThrownBy(() -> TimmSafetensors.load(m, 0)).hasMessageContaining("has no tensor 'blocks.1.mlp.fc2.bias'");
        Path d = dir.resolve("distilled.safetensors");
        distilled.write(d);
        assertThatThrownBy(() -> TimmSafetensors.load(d, 0)).hasMessageContaining("is a distilled DeiT");
        assertThatThrownBy(() -> TimmSafetensors.load(good, 3))
                .hasMessageContaining("dim 128 is not divisible by the number of heads 3");
        Path notDeit = dir.resolve("other.safetensors");
        new Safetensors.Writer().put("w", new float[] {1}, 1).write(notDeit);
        assertThatThrownBy(() -> TimmSafetensors.load(notDeit, 0))
                .hasMessageContaining("is not a ViT/DeiT in timm's names: no tensor 'patch_embed.proj.weight'");
    }
}
