package dev.qvit.app.cli;

import dev.qvit.model.vit.Backbone;
import dev.qvit.model.data.EvalTransform;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.data.ImageFolder;
import dev.qvit.model.experiment.FolderEvaluation;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.train.SliceResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qvit eval}: test accuracy of a saved model. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a saved model on the test set, or "
        + "an RGB model (a timm DeiT) on a folder of PNG/JPEG images.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    TestDataOptions data;
    @Mixin
    ThreadOptions threads;

    @Option(names = "--model", required = true, description = "A checkpoint (.qvit) written by 'qvit train' or "
            + "'quantize', or a ViT/DeiT as safetensors with timm's names (.safetensors, e.g. from 'qvit export --timm').")
    Path modelFile;
    @Option(names = "--heads", defaultValue = "0", description = "Heads of a timm file that does not say (default: "
            + "width / 64, as in DeiT).")
    int heads;
    @Option(names = "--images", description = "A folder of PNG/JPEG images (a folder per class gives the labels, in "
            + "sorted order as torchvision's ImageFolder), through timm's DeiT evaluation transform: bicubic resize "
            + "to 256, centre crop 224, ImageNet mean and std.")
    Path images;

    @Override
    public Integer call() throws Exception {
        Backbone model = modelFile.toString().endsWith(".safetensors")
                ? TimmSafetensors.load(modelFile, heads) : Checkpoint.load(modelFile);
        if (images != null) {
            return evaluateFolder(model);
        }
        FashionMnist.TestSet test = data.loadTest();
        SliceResult result = ExperimentRun.evaluate(model, test.images(), threads.count());
        System.out.printf("%s on %s (%,d test images): accuracy %.2f%%, loss %.4f%n", modelFile,
                test.description(), result.count(), 100 * result.accuracy(), result.meanLoss());
        return 0;
    }

    private int evaluateFolder(Backbone model) {
        if (model.config().channels() != 3) {
            throw new IllegalArgumentException(modelFile + " reads " + model.config().channels() + "-channel images of "
                    + model.config().imageSize() + " pixels, not RGB: --images is for RGB models such as timm's DeiT");
        }
        int size = model.config().imageSize();
        ImageFolder folder = ImageFolder.read(images, EvalTransform.deit(size));
        FolderEvaluation.Result result = FolderEvaluation.evaluate(model, folder);
        for (int i = 0; i < folder.files().size(); i++) {
            FolderEvaluation.Prediction p = result.predictions().get(i);
            StringBuilder line = new StringBuilder(images.relativize(folder.files().get(i)).toString());
            for (int r = 0; r < p.classes().length; r++) {
                line.append(r == 0 ? ": " : ", ").append("%d (%.1f%%)".formatted(p.classes()[r],
                        100 * p.probabilities()[r]));
            }
            System.out.println(line);
        }
        if (folder.labelled()) {
            noteClassCount(folder.classes().size(), model.config().numClasses());
            System.out.printf("%s on %s (%,d images, %d classes): top-1 %.2f%%, top-5 %.2f%%%n", modelFile, images,
                    folder.files().size(), folder.classes().size(), 100 * result.top1(), 100 * result.top5());
        }
        return 0;
    }

    /** Says when the class folders are not the model's classes (their labels are then only sorted positions). */
    static void noteClassCount(int folders, int classes) {
        if (folders != classes) {
            System.out.printf("note: %d class folders for a model of %d classes; a folder's label is its sorted "
                    + "position%n", folders, classes);
        }
    }
}
