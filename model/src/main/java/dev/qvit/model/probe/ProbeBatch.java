package dev.qvit.model.probe;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.EvalTransform;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.model.data.ImageFolder;
import dev.qvit.records.ProbeImages;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fixed images every probe pass runs on: of a test set, the first {@code perClass} images of each class in
 * class order, so the first {@code classes} images show one of each class (the attention view's picker); of a
 * folder of RGB images (a timm DeiT's), the first images in the same round robin over its class folders.
 */
public final class ProbeBatch {
    private final INDArray normalised;   // [B, C, S, S]
    private final ProbeImages images;

    private ProbeBatch(INDArray normalised, ProbeImages images) {
        this.normalised = normalised;
        this.images = images;
    }

    /** Round-robin over the classes: image i has class i mod classes (as far as the data has them). */
    public static ProbeBatch of(ImageDataset test, int perClass) {
        int[] labels = new int[test.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = test.label(i);
        }
        int[] order = roundRobin(labels, test.classNames().size(), perClass);
        if (order.length == 0) {
            throw new IllegalArgumentException("the test set has no images to probe with");
        }
        ImageDataset chosen = test.select(order, "probe batch");
        int[] chosenLabels = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            chosenLabels[i] = labels[order[i]];
        }
        return new ProbeBatch(BatchLoader.firstImages(chosen, chosen.count()), new ProbeImages(chosen.count(),
                chosen.rows(), chosen.cols(), chosen.pixels(), chosenLabels, chosen.classNames()));
    }

    /**
     * At most {@code count} images of a folder read with {@code transform}, round robin over its class folders (in
     * file order without them); the views show each crop as the model saw it.
     */
    public static ProbeBatch of(ImageFolder folder, EvalTransform transform, int count) {
        int classes = Math.max(folder.classes().size(), 1);
        int[] labels = folder.labelled() ? folder.labels() : new int[folder.images().size()];
        int[] order = roundRobin(labels, classes, Math.max(1, (count + classes - 1) / classes));
        int n = Math.min(count, order.length);
        int size = transform.size();
        int per = 3 * size * size;
        float[] input = new float[n * per];
        byte[] pixels = new byte[n * per];
        int[] chosenLabels = new int[n];
        for (int i = 0; i < n; i++) {
            float[] image = folder.images().get(order[i]);
            System.arraycopy(image, 0, input, i * per, per);
            System.arraycopy(transform.levels(image), 0, pixels, i * per, per);
            chosenLabels[i] = folder.labels()[order[i]];
        }
        INDArray normalised = Nd4j.createFromArray(input).reshape(n, 3, size, size);
        return new ProbeBatch(normalised, new ProbeImages(n, 3, size, size, pixels, chosenLabels, folder.classes()));
    }

    /** Indices of the first {@code perClass} images of each class, interleaved class after class. */
    private static int[] roundRobin(int[] labels, int classes, int perClass) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            List<Integer> bucket = byClass.get(labels[i]);
            if (bucket.size() < perClass) {
                bucket.add(i);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < perClass; k++) {
            for (List<Integer> bucket : byClass) {
                if (k < bucket.size()) {
                    order.add(bucket.get(k));
                }
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Normalised images [B, C, S, S]; read only. */
    public INDArray normalised() {
        return normalised;
    }

    public int count() {
        return images.count();
    }

    public ProbeImages images() {
        return images;
    }
}
