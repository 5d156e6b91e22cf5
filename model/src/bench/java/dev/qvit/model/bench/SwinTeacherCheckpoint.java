package dev.qvit.model.bench;

import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.Safetensors;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.swin.SwinTransformer;
import dev.qvit.model.train.SliceResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns the Swin teacher {@link SwinTeacherRun} wrote (timm names, safetensors) into a workbench checkpoint
 * ({@code .qvit}, what {@code quantize}, {@code ablate} and File > Open take), with its test accuracy measured
 * again on the full Fashion-MNIST test set. Args: in.safetensors out.qvit threads. Refuses to write over a file.
 */
public final class SwinTeacherCheckpoint {
    private SwinTeacherCheckpoint() {
    }

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        if (Files.exists(out)) {
            throw new IllegalArgumentException(out + " exists");
        }
        Safetensors.Content c = Safetensors.read(in);
        if (!SwinConfig.tiny().toString().equals(c.metadata().get("qvit.swin.config"))) {
            throw new IllegalArgumentException(in + " is not a Swin tiny teacher");
        }
        SwinTransformer model = new SwinTransformer(SwinConfig.tiny(), DataType.FLOAT);
        for (Parameter p : model.parameters().parameters()) {
            p.value().assign(Nd4j.createFromArray(c.floats(p.name(), p.shape())).reshape(p.shape()));
        }
        SliceResult test = ExperimentRun.evaluate(model, FashionMnist.load("full").test(), threads);
        System.out.printf("%s: test accuracy %.2f %% on %d images%n", in, 100 * test.accuracy(), test.count());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("label", "FP teacher swin-tiny");
        meta.put("testAccuracy", test.accuracy());
        meta.put("source", in.getFileName().toString() + " (SwinTeacherRun: full set, 20 epochs, teacher recipe)");
        Checkpoint.save(out, "teacher", model, meta);
        System.out.println("wrote " + out);
    }
}
