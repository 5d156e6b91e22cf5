package dev.qvit.model.data;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns dataset images into normalised float batches [B, 1, rows, cols] (as flat arrays), optionally augmented;
 * and gives seeded epoch orders.
 */
public final class BatchLoader {
    private final ImageDataset data;
    private final Augmentation augmentation;
    private float[] raw = new float[0];

    /** {@code augmentation} may be null (evaluation). */
    public BatchLoader(ImageDataset data, Augmentation augmentation) {
        this.data = data;
        this.augmentation = augmentation;
    }

    /** A seeded random permutation of all indices (Fisher-Yates). */
    public static int[] shuffledOrder(int count, Random random) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Normalised pixels of images order[from..to) into {@code out}, labels into {@code labels}. */
    public void fill(int[] order, int from, int to, float[] out, int[] labels) {
        int size = data.imageSize();
        if (raw.length < size) {
            raw = new float[size];
        }
        byte[] pixels = data.pixels();
        for (int i = from; i < to; i++) {
            int index = order[i];
            int dst = (i - from) * size;
            for (int p = 0; p < size; p++) {
                raw[p] = Byte.toUnsignedInt(pixels[index * size + p]);
            }
            if (augmentation != null) {
                augmentation.apply(raw, 0, out, dst, data.rows(), data.cols());
            } else {
                System.arraycopy(raw, 0, out, dst, size);
            }
            for (int p = dst; p < dst + size; p++) {
                out[p] = (out[p] / 255f - FashionMnist.MEAN) / FashionMnist.STD;
            }
            labels[i - from] = data.label(index);
        }
    }

    /** The first {@code n} images of {@code data} (all if fewer), normalised, as a float32 batch [n, 1, S, S]. */
    public static INDArray firstImages(ImageDataset data, int n) {
        int count = Math.min(n, data.count());
        float[] pixels = new float[count * data.imageSize()];
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        new BatchLoader(data, null).fill(order, 0, count, pixels, new int[count]);
        return Nd4j.createFromArray(pixels).reshape(count, 1, data.rows(), data.cols());
    }

    public ImageDataset data() {
        return data;
    }
}
