package dev.qvit.model.experiment;

import dev.qvit.model.data.ImageFolder;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.vit.Backbone;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's predictions on a folder of images (eval mode, in batches): per image its five most probable classes
 * with their softmax probabilities, and with class folders the top-1 and top-5 accuracy against the folders'
 * sorted positions (torchvision's ImageFolder labels).
 */
public final class FolderEvaluation {
    private static final int BATCH = 16;
    private static final int TOP = 5;

    private FolderEvaluation() {
    }

    /** One image's most probable classes, best first. */
    public record Prediction(int[] classes, double[] probabilities) {
    }

    /** @param top1 top1 / top5 accuracy in [0, 1], NaN without class folders */
    public record Result(List<Prediction> predictions, double top1, double top5) {
    }

    /** @throws IllegalArgumentException in one sentence when the images do not fit the model */
    public static Result evaluate(Backbone model, ImageFolder folder) {
        int s = model.imageSize();
        if (model.channels() != 3 || folder.images().get(0).length != 3 * s * s) {
            throw new IllegalArgumentException(("the model reads %d-channel images of %dx%d, the folder gives RGB "
                    + "images of %d pixels").formatted(model.channels(), s, s, folder.images().get(0).length / 3));
        }
        List<Prediction> predictions = new ArrayList<>();
        for (int from = 0; from < folder.images().size(); from += BATCH) {
            int n = Math.min(BATCH, folder.images().size() - from);
            float[] flat = new float[n * 3 * s * s];
            for (int i = 0; i < n; i++) {
                System.arraycopy(folder.images().get(from + i), 0, flat, i * 3 * s * s, 3 * s * s);
            }
            INDArray logits = model.forward(Nd4j.createFromArray(flat).reshape(n, 3, s, s)
                    .castTo(model.parameters().dataType()), false);
            float[] rows = Tensors.floats(logits.castTo(DataType.FLOAT));
            int classes = (int) logits.columns();
            for (int i = 0; i < n; i++) {
                predictions.add(top(rows, i * classes, classes));
            }
        }
        if (!folder.labelled()) {
            return new Result(predictions, Double.NaN, Double.NaN);
        }
        int top1 = 0;
        int top5 = 0;
        for (int i = 0; i < predictions.size(); i++) {
            int[] best = predictions.get(i).classes();
            int label = folder.labels()[i];
            top1 += best[0] == label ? 1 : 0;
            top5 += java.util.Arrays.stream(best).anyMatch(c -> c == label) ? 1 : 0;
        }
        return new Result(predictions, (double) top1 / predictions.size(), (double) top5 / predictions.size());
    }

    /** The softmax of one row of logits, its TOP largest entries. */
    private static Prediction top(float[] logits, int at, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[at + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[at + c] - max);
        }
        int k = Math.min(TOP, classes);
        int[] best = new int[k];
        double[] p = new double[k];
        boolean[] taken = new boolean[classes];
        for (int r = 0; r < k; r++) {
            int arg = -1;
            for (int c = 0; c < classes; c++) {
                if (!taken[c] && (arg < 0 || logits[at + c] > logits[at + arg])) {
                    arg = c;
                }
            }
            taken[arg] = true;
            best[r] = arg;
            p[r] = Math.exp(logits[at + arg] - max) / sum;
        }
        return new Prediction(best, p);
    }
}
