package dev.qvit.model.data;

import java.util.List;

/**
 * Labelled grey images held as unsigned bytes (row-major [count, rows, cols]).
 *
 * @param name       where the data came from, for messages and session records
 * @param classNames one name per label
 */
public record ImageDataset(String name, int count, int rows, int cols, byte[] pixels, byte[] labels,
                           List<String> classNames) {

    public ImageDataset {
        if ((long) count * rows * cols != pixels.length) {
            throw new DatasetException(name + ": " + pixels.length + " pixel bytes do not make " + count + " images of "
                    + rows + "x" + cols);
        }
        if (labels.length != count) {
            throw new DatasetException(name + ": " + count + " images but " + labels.length + " labels");
        }
        for (byte label : labels) {
            if (Byte.toUnsignedInt(label) >= classNames.size()) {
                throw new DatasetException(name + ": label " + Byte.toUnsignedInt(label) + " outside 0.."
                        + (classNames.size() - 1));
            }
        }
        classNames = List.copyOf(classNames);
    }

    public int label(int index) {
        return Byte.toUnsignedInt(labels[index]);
    }

    public int pixel(int index, int row, int col) {
        return Byte.toUnsignedInt(pixels[(index * rows + row) * cols + col]);
    }

    public int imageSize() {
        return rows * cols;
    }

    /** The first {@code n} images (for quick runs and tests). */
    public ImageDataset head(int n) {
        int m = Math.min(n, count);
        byte[] p = new byte[m * imageSize()];
        System.arraycopy(pixels, 0, p, 0, p.length);
        byte[] l = new byte[m];
        System.arraycopy(labels, 0, l, 0, m);
        return new ImageDataset(name + " (first " + m + ")", m, rows, cols, p, l, classNames);
    }

    /** A subset by index, in the given order. */
    public ImageDataset select(int[] indices, String subsetName) {
        byte[] p = new byte[indices.length * imageSize()];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * imageSize(), p, i * imageSize(), imageSize());
            l[i] = labels[indices[i]];
        }
        return new ImageDataset(subsetName, indices.length, rows, cols, p, l, classNames);
    }
}
