package dev.qvit.app.cli;

import dev.qvit.model.vit.Backbone;
import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.EvalTransform;
import dev.qvit.model.data.ImageFolder;
import dev.qvit.model.experiment.PostTrainingQuantization;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.records.BlockStatistics;
import dev.qvit.model.probe.QueryKeyAnalysis;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qvit fig1}: the paper's Fig. 1 for our models, per block mean and std of the queries; for an RGB model (a
 * timm DeiT) on a folder of images, of post-training quantized students where no trained ones are given.
 */
@Command(name = "fig1", mixinStandardHelpOptions = true,
        description = "Per block mean/std of the queries of the FP teacher, a quantized baseline and a quantized model "
                + "with IRM; with --folder, of an RGB model (a timm DeiT) on your images, its students quantized "
                + "after training (ptq) unless given.")
public final class Fig1Command implements Callable<Integer> {
    @Mixin
    TestDataOptions data;

    @Option(names = "--teacher", required = true, description = "Full-precision teacher checkpoint, or with --folder "
            + "an RGB model as safetensors in timm's names.")
    Path teacherFile;
    @Option(names = "--baseline", description = "Quantized baseline student (no IRM); with --folder, default: the "
            + "teacher quantized after training at --bits.")
    Path baselineFile;
    @Option(names = "--irm", description = "Quantized student with IRM; with --folder, default: the same with IRM's "
            + "distribution form (each head's q and k rectified to the teacher's mean and sigma).")
    Path irmFile;
    @Option(names = "--images", defaultValue = "512", description = "Images to pool: of the test set (default: "
            + "${DEFAULT-VALUE}) or, with --folder, of the folder (at most 64).")
    int images;
    @Option(names = "--folder", description = "A folder of PNG/JPEG images for an RGB model (timm's DeiT evaluation "
            + "transform); the calibration batch of post-training quantization is its first --calibration images.")
    Path folder;
    @Option(names = "--bits", defaultValue = "4", description = "Bits of the post-training quantized students "
            + "(default: ${DEFAULT-VALUE}).")
    int bits;
    @Option(names = "--calibration", defaultValue = "" + PostTrainingQuantization.CALIBRATION_IMAGES,
            description = "Calibration images of post-training quantization (default: ${DEFAULT-VALUE}).")
    int calibration;

    @Override
    public Integer call() throws Exception {
        if (folder == null && (baselineFile == null || irmFile == null)) {
            throw new IllegalArgumentException("give --baseline and --irm (quantized students of the teacher), or "
                    + "--folder DIR for an RGB model quantized after training on those images");
        }
        Backbone teacher = folder == null ? QuantizeCommand.loadTeacher(teacherFile).model()
                : PostTrainingQuantization.load(teacherFile, 0);
        EvalTransform transform = EvalTransform.deit(teacher.imageSize());
        ImageFolder read = folder == null ? null : ImageFolder.read(folder, transform);
        INDArray probe = folder == null ? BatchLoader.firstImages(data.loadTest().images(), images)
                : ProbeBatch.of(read, transform, Math.min(images, 64)).normalised();
        INDArray calibrationBatch = folder == null ? null : ProbeBatch.of(read, transform, calibration).normalised();
        Backbone baseline = baselineFile != null ? Checkpoint.load(baselineFile)
                : PostTrainingQuantization.quantize(teacher, QuantizationConfig.of(bits,
                        QuantizationConfig.Rectification.NONE), calibrationBatch);
        Backbone irm = irmFile != null ? Checkpoint.load(irmFile)
                : PostTrainingQuantization.quantize(teacher, QuantizationConfig.of(bits,
                        QuantizationConfig.Rectification.DISTRIBUTION), calibrationBatch);
        for (Backbone s : List.of(baseline, irm)) {
            if (s.quantization() == null || !s.config().equals(teacher.config())) {
                throw new IllegalArgumentException("--baseline and --irm must be quantized students of the teacher's size");
            }
        }
        List<BlockStatistics> base = QueryKeyAnalysis.analyse(teacher, baseline, probe);
        List<BlockStatistics> rect = QueryKeyAnalysis.analyse(teacher, irm, probe);
        System.out.printf("Queries per block over %d %s (all heads, tokens, channels)%n", probe.size(0),
                folder == null ? "test images" : "images of " + folder);
        int irmBits = irm.quantization().bits();
        System.out.printf("baseline: %s (W%dA%d)   IRM: %s (W%dA%d IRM(%s))%n%n", described(baselineFile),
                baseline.quantization().bits(), baseline.quantization().bits(), described(irmFile), irmBits, irmBits,
                irm.quantization().rectification().name().toLowerCase());
        System.out.println("| block | FP mu / sigma | baseline Q(q) mu / sigma | H(Q(q)) bits | IRM q~ mu / sigma "
                + "| IRM Q(q~) mu / sigma | H(Q(q~)) bits |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int l = 0; l < base.size(); l++) {
            BlockStatistics b = base.get(l);
            BlockStatistics r = rect.get(l);
            System.out.printf("| %d | %.4f / %.4f | %.4f / %.4f | %.2f | %.4f / %.4f | %.4f / %.4f | %.2f |%n", l,
                    b.teacherQuery().mean(), b.teacherQuery().std(), b.quantizedQuery().mean(), b.quantizedQuery().std(),
                    b.queryEntropyBits(), r.rectifiedQuery().mean(), r.rectifiedQuery().std(), r.quantizedQuery().mean(),
                    r.quantizedQuery().std(), r.queryEntropyBits());
        }
        return 0;
    }

    private String described(Path student) {
        return student == null ? "post-training quantized on " + folder : student.toString();
    }
}

