package dev.qvit.model.train;

import dev.qvit.model.data.BatchLoader;
import java.util.Arrays;

/**
 * Cuts a batch into a fixed number of contiguous slices (n / slices images each, the first n % slices one more)
 * and fills each slice's arrays (reused between steps). The slices holding images are always the first ones.
 */
final class BatchSplitter {
    private final int workers;
    private final int imageSize;
    private final float[][] images;
    private final int[][] labels;
    private final int[] counts;

    BatchSplitter(int workers, int imageSize) {
        this.workers = workers;
        this.imageSize = imageSize;
        this.images = new float[workers][0];
        this.labels = new int[workers][0];
        this.counts = new int[workers];
    }

    /** Fills the slices from images order[start..end), in worker order (deterministic). */
    void fill(BatchLoader loader, int[] order, int start, int end) {
        int n = end - start;
        int from = start;
        for (int k = 0; k < workers; k++) {
            int count = n / workers + (k < n % workers ? 1 : 0);
            counts[k] = count;
            if (images[k].length != count * imageSize) {
                images[k] = new float[count * imageSize];
                labels[k] = new int[count];
            }
            loader.fill(order, from, from + count, images[k], labels[k]);
            from += count;
        }
    }

    /** Slices that hold at least one image: 0 .. activeSlices()-1. */
    int activeSlices() {
        int active = 0;
        while (active < workers && counts[active] > 0) {
            active++;
        }
        return active;
    }

    int count(int worker) {
        return counts[worker];
    }

    float[] images(int worker) {
        return images[worker];
    }

    int[] labels(int worker) {
        return labels[worker];
    }

    /** All slices' images back to back, in batch order. */
    float[] concatenatedImages() {
        float[] all = new float[total() * imageSize];
        int at = 0;
        for (int k = 0; k < workers; k++) {
            System.arraycopy(images[k], 0, all, at, counts[k] * imageSize);
            at += counts[k] * imageSize;
        }
        return all;
    }

    int total() {
        return Arrays.stream(counts).sum();
    }
}
