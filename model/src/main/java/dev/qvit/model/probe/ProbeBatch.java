package dev.qvit.model.probe;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.ImageDataset;
import dev.qvit.records.ProbeImages;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fixed test images every probe pass runs on: the first {@code perClass} images of each class in class order,
 * so the first {@code classes} images show one of each class (the attention view's picker).
 */
public final class ProbeBatch {
    private final ImageDataset images;
    private final INDArray normalised;   // [B, 1, S, S]

    private ProbeBatch(ImageDataset images) {
        this.images = images;
        this.normalised = BatchLoader.firstImages(images, images.count());
    }

    /** Round-robin over the classes: image i has class i mod classes (as far as the data has them). */
    public static ProbeBatch of(ImageDataset test, int perClass) {
        int classes = test.classNames().size();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < test.count(); i++) {
            List<Integer> bucket = byClass.get(test.label(i));
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
        if (order.isEmpty()) {
            throw new IllegalArgumentException("the test set has no images to probe with");
        }
        return new ProbeBatch(test.select(order.stream().mapToInt(Integer::intValue).toArray(), "probe batch"));
    }

    /** Normalised images [B, 1, S, S]; read only. */
    public INDArray normalised() {
        return normalised;
    }

    public int count() {
        return images.count();
    }

    public ProbeImages images() {
        int[] labels = new int[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.label(i);
        }
        return new ProbeImages(images.count(), images.rows(), images.cols(), images.pixels(), labels,
                images.classNames());
    }
}
