package dev.qvit.model.experiment;

import dev.qvit.model.data.DatasetException;
import dev.qvit.model.data.EvalTransform;
import dev.qvit.model.data.ImageFolder;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.nn.StepCancelledException;
import dev.qvit.model.probe.AttentionProbe;
import dev.qvit.model.probe.ProbeBatch;
import dev.qvit.model.probe.QueryKeyAnalysis;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.Backbone;
import dev.qvit.model.vit.QuantizedStudent;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Post-training quantization of a full-precision RGB model (a timm DeiT opened from safetensors), so that the
 * distortion of q and k is seen where the paper's Fig. 1 saw it: the fully quantized student of
 * {@link QuantizedStudent} (every weight copied), each LSQ quantizer initialised on a calibration batch of the
 * user's images exactly as QAT initialises it on its first training batch (one forward pass, quantizers in forward
 * order, each seeing the output of those before it), no weight changed. IRM may only take its distribution form:
 * gamma and beta at the teacher's per-head sigma and mu (as QAT starts it), and as the statistics it normalises
 * with, those of the student's own q and k on the calibration batch. Each head's rectified q and k then have the
 * teacher's mean and standard deviation on those images: an untrained correction of the distortion the quantized
 * layers before it cause, and evaluation computes what calibration did.
 */
public final class PostTrainingQuantization {
    /** Images the calibration batch takes by default (LSQ's initialisation needs mean |x| only). */
    public static final int CALIBRATION_IMAGES = 32;
    /** Images probed for the views by default (as the full-size measurement). */
    public static final int PROBE_IMAGES = 8;

    private PostTrainingQuantization() {
    }

    /**
     * What to inspect: a model file, a folder of images, and the quantization (null: the full-precision model only).
     *
     * @param heads             heads of a timm file that does not say (0: width / 64, as in DeiT)
     * @param calibrationImages images of the folder the quantizers are initialised on
     * @param probeImages       images of the folder the views are drawn on (the first ones, class after class)
     */
    public record Spec(Path model, int heads, Path images, QuantizationConfig quantization, int calibrationImages,
                       int probeImages) {
        public Spec {
            if (calibrationImages < 1 || calibrationImages > 1024) {
                throw new IllegalArgumentException("the calibration batch takes 1 to 1024 images, not "
                        + calibrationImages);
            }
            if (probeImages < 1 || probeImages > 64) {
                throw new IllegalArgumentException("the probe takes 1 to 64 images, not " + probeImages);
            }
            if (quantization != null) {
                quantization.requireValid();
                if (quantization.rectification() == QuantizationConfig.Rectification.TOKEN) {
                    throw new IllegalArgumentException("IRM's token form starts as a LayerNorm of q and k, which "
                            + "changes the attention until training adapts it: post-training quantization takes IRM's "
                            + "distribution form or none");
                }
            }
        }

        /** "W4A4 PTQ" / "W4A4 PTQ IRM(distribution)" / "FP". */
        public String label() {
            if (quantization == null) {
                return "FP";
            }
            int b = quantization.bits();
            return "W%dA%d PTQ%s".formatted(b, b, quantization.rectified() ? " IRM(distribution)" : "");
        }
    }

    /**
     * What the inspection measured.
     *
     * @param student         the calibrated student, or null for the full-precision model only
     * @param teacherSnapshot the full-precision model on the probe images
     * @param studentSnapshot the student on them, or null
     * @param teacherFolder   the full-precision model's predictions on the whole folder
     * @param studentFolder   the student's, or null
     * @param agreement       share of the folder's images on which the student's top-1 class is the model's (NaN: FP)
     * @param blocks          per block, the model's and the student's q and k statistics on the probe images (none
     *                        for FP)
     * @param calibrateMillis time of the calibration forward pass
     * @param probeMillis     time of probing both models (forward passes and statistics)
     */
    public record Result(Spec spec, Backbone teacher, Backbone student, ProbeImages images,
                         ModelSnapshot teacherSnapshot, ModelSnapshot studentSnapshot,
                         FolderEvaluation.Result teacherFolder, FolderEvaluation.Result studentFolder,
                         double agreement, List<BlockStatistics> blocks, long calibrateMillis, long probeMillis) {
    }

    /** Opens the model file (timm's safetensors or an FP checkpoint) and runs {@link #run(Spec, Backbone)}. */
    public static Result run(Spec spec) throws IOException {
        return run(spec, load(spec.model(), spec.heads()));
    }

    /** A full-precision RGB model from a timm-named safetensors file or a workbench checkpoint. */
    public static Backbone load(Path file, int heads) throws IOException {
        Backbone model = file.toString().endsWith(".safetensors") ? TimmSafetensors.load(file, heads)
                : Checkpoint.load(file);
        if (model.quantization() != null) {
            throw new IllegalArgumentException(file + " is already quantized: post-training quantization starts "
                    + "from a full-precision model");
        }
        if (model.channels() != 3) {
            throw new IllegalArgumentException(file + " reads " + model.channels() + "-channel images of "
                    + model.imageSize() + " pixels, not RGB: post-training quantization on a folder of images is for "
                    + "RGB models such as timm's DeiT ('quantize' trains a student of a Fashion-MNIST model)");
        }
        return model;
    }

    /** Calibrates a student of {@code teacher} on the folder, probes both and evaluates both on the whole folder. */
    public static Result run(Spec spec, Backbone teacher) {
        EvalTransform transform = EvalTransform.deit(teacher.imageSize());
        ImageFolder folder = ImageFolder.read(spec.images(), transform);
        if (folder.images().get(0).length != 3 * teacher.imageSize() * teacher.imageSize()) {
            throw new DatasetException("the folder's images do not fit the model's input");
        }
        ProbeBatch probe = ProbeBatch.of(folder, transform, spec.probeImages());
        long t0 = System.nanoTime();
        Backbone student = spec.quantization() == null ? null : quantize(teacher, spec.quantization(),
                ProbeBatch.of(folder, transform, spec.calibrationImages()).normalised());
        long t1 = System.nanoTime();
        StepCancelledException.throwIfInterrupted();
        AttentionProbe probing = new AttentionProbe(probe, probe.count());
        AttentionProbe.Capture teacherCapture = probing.captureWithProbes(teacher);
        AttentionProbe.Capture studentCapture = student == null ? null : probing.captureWithProbes(student);
        ModelSnapshot teacherSnapshot = teacherCapture.snapshot();
        ModelSnapshot studentSnapshot = student == null ? null : studentCapture.snapshot();
        List<BlockStatistics> blocks = student == null ? List.of() : QueryKeyAnalysis.analyse(teacherCapture.probes(),
                studentCapture.probes(), studentSnapshot.quantizers(), student.attentionGeometry());
        long t2 = System.nanoTime();
        FolderEvaluation.Result teacherFolder = FolderEvaluation.evaluate(teacher, folder);
        FolderEvaluation.Result studentFolder = student == null ? null : FolderEvaluation.evaluate(student, folder);
        return new Result(spec, teacher, student, probe.images(), teacherSnapshot, studentSnapshot, teacherFolder,
                studentFolder, studentFolder == null ? Double.NaN : agreement(teacherFolder, studentFolder), blocks,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    /**
     * The fully quantized student of {@code teacher} with every quantizer initialised on {@code calibration}
     * [B, C, S, S] (normalised images); the teacher is not changed.
     */
    public static <M extends Backbone> M quantize(M teacher, QuantizationConfig config, INDArray calibration) {
        if (config.rectification() == QuantizationConfig.Rectification.TOKEN) {
            throw new IllegalArgumentException("post-training quantization takes IRM's distribution form or none");
        }
        INDArray images = calibration.castTo(teacher.parameters().dataType());
        M student = QuantizedStudent.fromTeacher(teacher, config, images);
        Backbone.Traced traced = student.trace(images, true);   // initialises every quantizer, as QAT's first batch
        if (config.rectification() == QuantizationConfig.Rectification.DISTRIBUTION) {
            QuantizedStudent.forEachRectification(student, traced.attention(), (irm, values) -> irm.useStatistics(
                    QuantizedStudent.perHeadMean(values), QuantizedStudent.perHeadVariance(values)));
        }
        return student;
    }


    /** Share of images whose most probable class is the same for both. */
    static double agreement(FolderEvaluation.Result a, FolderEvaluation.Result b) {
        int same = 0;
        for (int i = 0; i < a.predictions().size(); i++) {
            same += a.predictions().get(i).classes()[0] == b.predictions().get(i).classes()[0] ? 1 : 0;
        }
        return (double) same / a.predictions().size();
    }
}
