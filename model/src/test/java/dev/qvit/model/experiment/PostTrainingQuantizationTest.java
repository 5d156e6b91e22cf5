package dev.qvit.model.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.data.EvalTransform;
import dev.qvit.model.data.ImageFolder;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.quant.QuantizationConfig.Rectification;
import dev.qvit.model.vit.AttentionTrace;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.ProbeImages;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Post-training quantization of a DeiT-shaped model at 224 pixels (timm's layout, random weights written by
 * reference/make_rgb_vectors.py) on the bundled RGB test images: calibration initialises every quantizer and changes
 * no weight, the probes have the DeiT geometry and the RGB crops the model saw, fewer bits distort more, and what
 * cannot be done is refused in a sentence.
 */
class PostTrainingQuantizationTest {
    private static final Path IMAGES = resource("/images/rgb");
    private static final Path DEIT = resource("/parity/rgb/deit224.safetensors");

    private static Path resource(String name) {
        try {
            return Path.of(PostTrainingQuantizationTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PostTrainingQuantization.Spec spec(QuantizationConfig q) {
        return new PostTrainingQuantization.Spec(DEIT, 2, IMAGES, q, 6, 4);
    }

    @Test
    void calibrationInitialisesEveryQuantizerAndChangesNoWeight() throws Exception {
        VisionTransformer teacher = TimmSafetensors.load(DEIT, 2);
        INDArray images = ProbeBatch.of(ImageFolder.read(IMAGES, EvalTransform.deit()), EvalTransform.deit(), 6)
                .normalised();
        float[] before = teacher.forward(images, false).dup().data().asFloat();
        VisionTransformer student = PostTrainingQuantization.quantize(teacher,
                QuantizationConfig.of(4, Rectification.NONE), images);
        assertThat(student.quantizers()).isNotEmpty()
                .allSatisfy(q -> assertThat(q.initialized()).as(q.name()).isTrue());
        assertThat(teacher.forward(images, false).dup().data().asFloat()).isEqualTo(before);
        for (var p : teacher.parameters().parameters()) {
            assertThat(student.parameters().get(p.name()).value().data().asFloat()).as(p.name())
                    .isEqualTo(p.value().data().asFloat());
        }
        // LSQ's initialisation on the calibration batch: weights 2 mean|W| / sqrt(Qp), one step for every channel
        LsqQuantizer qkv = student.quantizers().stream().filter(q -> q.name().equals("blocks.0.attn.qkv.weight_quant"))
                .findFirst().orElseThrow();
        double meanAbs = teacher.parameters().get("blocks.0.attn.qkv.weight").value().amean().getDouble(0);
        assertThat(qkv.step().value().getDouble(0)).isCloseTo(2 * meanAbs / Math.sqrt(7), within(1e-6));
    }

    @Test
    void theProbesHaveTheDeitGeometryAndTheRgbCropsTheModelSaw() throws Exception {
        PostTrainingQuantization.Result r = PostTrainingQuantization.run(spec(QuantizationConfig.of(4,
                Rectification.NONE)));
        LayerGeometry block = r.studentSnapshot().geometry(0);
        assertThat(block.tokens()).isEqualTo(197);
        assertThat(block.gridSide()).isEqualTo(14);
        assertThat(block.heads()).isEqualTo(2);
        assertThat(r.teacherSnapshot().geometry()).isEqualTo(r.studentSnapshot().geometry());
        assertThat(r.studentSnapshot().quantizers()).isNotEmpty();
        ProbeImages images = r.images();
        assertThat(images.count()).isEqualTo(4);
        assertThat(images.channels()).isEqualTo(3);
        assertThat(images.rows()).isEqualTo(224);
        // round robin over the class folders: ants, bees, ants, bees
        assertThat(images.labels()).containsExactly(0, 1, 0, 1);
        assertThat(images.caption(1)).isEqualTo("#1 bees");
        // image 0 is ants/grey.png; its crop as Pillow made it (the parity file) is what the views draw
        BufferedImage crop = ImageIO.read(resource("/parity/rgb/ants.grey.png").toFile());
        for (int y = 0; y < 224; y += 37) {
            for (int x = 0; x < 224; x += 41) {
                int grey = crop.getRaster().getSample(x, y, 0);
                assertThat(images.rgb(0, y, x)).as("pixel %d,%d", x, y).isEqualTo(grey << 16 | grey << 8 | grey);
            }
        }
        assertThat(r.teacherFolder().top1()).isBetween(0.0, 1.0);
        assertThat(r.agreement()).isBetween(0.0, 1.0);
        assertThat(r.blocks()).hasSize(2);
    }

    @Test
    void fewerBitsDistortTheQueriesAndLogitsMore() throws Exception {
        VisionTransformer teacher = TimmSafetensors.load(DEIT, 2);
        INDArray images = ProbeBatch.of(ImageFolder.read(IMAGES, EvalTransform.deit()), EvalTransform.deit(), 6)
                .normalised();
        INDArray fp = teacher.forward(images, false).dup();
        double previous = 0;
        for (int bits : new int[] {8, 4, 2}) {
            VisionTransformer student = PostTrainingQuantization.quantize(teacher,
                    QuantizationConfig.of(bits, Rectification.NONE), images);
            double error = student.forward(images, false).sub(fp).norm2Number().doubleValue()
                    / fp.norm2Number().doubleValue();
            assertThat(error).as("relative logit error at %d bits", bits).isGreaterThan(previous);
            previous = error;
            if (bits == 8) {
                assertThat(error).isLessThan(0.1);
            }
        }
    }

    @Test
    void distributionIrmGivesEachHeadTheTeachersMeanAndSigmaAndEvaluatesAsCalibrated() throws Exception {
        VisionTransformer teacher = TimmSafetensors.load(DEIT, 2);
        INDArray images = ProbeBatch.of(ImageFolder.read(IMAGES, EvalTransform.deit()), EvalTransform.deit(), 6)
                .normalised();
        java.util.List<AttentionTrace> fp = teacher.trace(images, false).attention();
        double[][] teacherMean = new double[fp.size()][];
        double[][] teacherStd = new double[fp.size()][];
        for (int l = 0; l < fp.size(); l++) {
            teacherMean[l] = fp.get(l).query().mean(0, 2, 3).toDoubleVector();
            teacherStd[l] = fp.get(l).query().std(false, 0, 2, 3).toDoubleVector();
        }
        VisionTransformer student = PostTrainingQuantization.quantize(teacher,
                QuantizationConfig.of(4, Rectification.DISTRIBUTION), images);
        float[] training = student.trace(images, true).logits().dup().data().asFloat();
        dev.qvit.model.vit.Backbone.Traced eval = student.trace(images, false);
        dev.qvit.model.ParityVectors.assertCloseToScale(eval.logits().dup().data().asFloat(), training, 1e-4);
        for (int l = 0; l < fp.size(); l++) {
            AttentionTrace a = eval.attention().get(l);
            // the student's own q differs from the teacher's (quantized layers before it); rectified it does not
            double[] mean = a.rectifiedQuery().mean(0, 2, 3).toDoubleVector();
            double[] std = a.rectifiedQuery().std(false, 0, 2, 3).toDoubleVector();
            for (int h = 0; h < 2; h++) {
                assertThat(mean[h]).as("block %d head %d mean", l, h).isCloseTo(teacherMean[l][h], within(1e-3));
                assertThat(std[h]).as("block %d head %d sigma", l, h).isCloseTo(teacherStd[l][h],
                        within(1e-3 * teacherStd[l][h]));
            }
        }
    }

    @Test
    void whatPostTrainingQuantizationCannotDoIsRefusedInASentence() throws Exception {
        assertThatThrownBy(() -> spec(QuantizationConfig.of(4, Rectification.TOKEN)))
                .hasMessageContaining("token form").hasMessageContaining("distribution form");
        assertThatThrownBy(() -> new PostTrainingQuantization.Spec(DEIT, 2, IMAGES, null, 0, 4))
                .hasMessageContaining("calibration batch takes 1 to 1024 images");
        assertThatThrownBy(() -> spec(QuantizationConfig.of(5, Rectification.NONE)))
                .hasMessageContaining("bits must be");
        Path grey = java.nio.file.Files.createTempFile("grey", ".safetensors");
        try {
            TimmSafetensors.export(VisionTransformer.create(new VitConfig(28, 7, 1, 16, 1, 1, 32, 10), 1), grey);
            assertThatThrownBy(() -> PostTrainingQuantization.load(grey, 0)).hasMessageContaining("not RGB");
        } finally {
            java.nio.file.Files.deleteIfExists(grey);
        }
    }
}
