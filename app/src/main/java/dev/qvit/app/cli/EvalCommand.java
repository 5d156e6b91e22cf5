package dev.qvit.app.cli;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.TimmSafetensors;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.train.SliceResult;
import dev.qvit.model.vit.VisionTransformer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qvit eval}: test accuracy of a saved model. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a saved model on the test set.")
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

    @Override
    public Integer call() throws Exception {
        VisionTransformer model = modelFile.toString().endsWith(".safetensors")
                ? TimmSafetensors.load(modelFile, heads) : Checkpoint.load(modelFile);
        FashionMnist.TestSet test = data.loadTest();
        SliceResult result = ExperimentRun.evaluate(model, test.images(), threads.count());
        System.out.printf("%s on %s (%,d test images): accuracy %.2f%%, loss %.4f%n", modelFile,
                test.description(), result.count(), 100 * result.accuracy(), result.meanLoss());
        return 0;
    }
}
