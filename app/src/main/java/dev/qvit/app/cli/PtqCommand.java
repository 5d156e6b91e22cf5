package dev.qvit.app.cli;

import dev.qvit.model.experiment.PostTrainingQuantization;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.records.BlockStatistics;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code qvit ptq}: post-training quantization of an RGB model (a timm DeiT) on a folder of images. */
@Command(name = "ptq", mixinStandardHelpOptions = true, description = "Quantize a full-precision RGB model (a timm "
        + "DeiT as safetensors) without training: LSQ quantizers initialised on a calibration batch of your images; "
        + "prints its predictions against the model's and the queries' distortion per block (the paper's Fig. 1).")
public final class PtqCommand implements Callable<Integer> {
    @ParentCommand
    QvitCommand qvit;

    @Option(names = "--model", required = true, description = "A ViT/DeiT as safetensors with timm's names, or a "
            + "full-precision RGB checkpoint (.qvit).")
    Path modelFile;
    @Option(names = "--heads", defaultValue = "0", description = "Heads of a timm file that does not say (default: "
            + "width / 64, as in DeiT).")
    int heads;
    @Option(names = "--images", required = true, description = "A folder of PNG/JPEG images (a folder per class gives "
            + "labels), read through timm's DeiT evaluation transform.")
    Path images;
    @Option(names = "--bits", defaultValue = "4", description = "Bits of weights and activations, q, k, v and "
            + "attention included: 2, 3, 4 or 8 (default: ${DEFAULT-VALUE}; patch embedding and head at 8).")
    int bits;
    @Option(names = "--irm", defaultValue = "none", description = "IRM: none or distribution (each head's q and k "
            + "rectified to the teacher's mean and sigma on the calibration images; the token form needs training). "
            + "Default: ${DEFAULT-VALUE}.")
    String irm;
    @Option(names = "--calibration", defaultValue = "" + PostTrainingQuantization.CALIBRATION_IMAGES,
            description = "Images of the folder the quantizers are initialised on (default: ${DEFAULT-VALUE}).")
    int calibration;
    @Option(names = "--probe", defaultValue = "" + PostTrainingQuantization.PROBE_IMAGES,
            description = "Images the per-block statistics are taken on (default: ${DEFAULT-VALUE}).")
    int probe;
    @Option(names = "--out", description = "Save the calibrated student: a .qvit checkpoint, or .safetensors in timm's "
            + "names with the quantizers' calibration (opens in 'eval --model').")
    Path out;
    @Option(names = "--force", description = "Write over an existing --out file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        QuantizationConfig.Rectification form = irm.equalsIgnoreCase("none") ? QuantizationConfig.Rectification.NONE
                : QuantizationConfig.Rectification.parse(irm);
        PostTrainingQuantization.Spec spec = new PostTrainingQuantization.Spec(modelFile, heads, images,
                QuantizationConfig.of(bits, form), calibration, probe);
        Path target = out == null ? null : qvit.outputs().file(out, out.getFileName().toString(), force);
        PostTrainingQuantization.Result r = PostTrainingQuantization.run(spec);
        System.out.printf("%s: %s%n", modelFile, r.teacher().config().describe());
        System.out.printf("%s calibrated on %d images of %s in %.1f s; %d images probed in %.1f s%n", spec.label(),
                Math.min(calibration, r.teacherFolder().predictions().size()), images, r.calibrateMillis() / 1000.0,
                r.images().count(), r.probeMillis() / 1000.0);
        int n = r.teacherFolder().predictions().size();
        if (Double.isNaN(r.teacherFolder().top1())) {
            System.out.printf("%d images (no class folders): the student's top-1 class is the model's on %.1f %%%n", n,
                    100 * r.agreement());
        } else {
            EvalCommand.noteClassCount(r.images().classNames().size(), r.teacher().config().numClasses());
            System.out.printf("top-1 on %d images: FP %.2f %%, %s %.2f %% (top-5 %.2f %% / %.2f %%); the same top-1 "
                    + "class as FP on %.1f %%%n", n, 100 * r.teacherFolder().top1(), spec.label(),
                    100 * r.studentFolder().top1(), 100 * r.teacherFolder().top5(), 100 * r.studentFolder().top5(),
                    100 * r.agreement());
        }
        System.out.printf("%nQueries and keys per block over the %d probe images (all heads, tokens, channels)%n",
                r.images().count());
        System.out.println("| block | FP q mu / sigma | Q(q) mu / sigma | H(Q(q)) bits | FP k sigma | Q(k) sigma "
                + "| H(Q(k)) bits |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (BlockStatistics b : r.blocks()) {
            System.out.printf("| %d | %.4f / %.4f | %.4f / %.4f | %.2f | %.4f | %.4f | %.2f |%n", b.layer(),
                    b.teacherQuery().mean(), b.teacherQuery().std(), b.quantizedQuery().mean(),
                    b.quantizedQuery().std(), b.queryEntropyBits(), b.teacherKey().std(), b.quantizedKey().std(),
                    b.keyEntropyBits());
        }
        if (target != null) {
            save(r, target);
            System.out.printf("%nsaved %s%n", target);
        }
        return 0;
    }

    private void save(PostTrainingQuantization.Result r, Path target) throws java.io.IOException {
        if (target.toString().endsWith(".safetensors")) {
            if (!(r.student() instanceof VisionTransformer vit)) {
                throw new IllegalArgumentException("only a ViT/DeiT is saved in timm's names: use a .qvit file");
            }
            TimmSafetensors.export(vit, target);
        } else {
            Checkpoint.save(target, "student", r.student(), Map.of("source", modelFile.toAbsolutePath().toString(),
                    "postTrainingQuantization", Map.of("images", images.toAbsolutePath().toString(),
                            "calibrationImages", calibration)));
        }
    }
}
