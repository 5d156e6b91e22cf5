package dev.qvit.records;

import java.util.List;

/**
 * The probe batch's images as the user sees them: raw grey levels (0..255) and labels.
 *
 * @param pixels [image, row, col] row-major
 */
public record ProbeImages(int count, int rows, int cols, byte[] pixels, int[] labels, List<String> classNames) {

    public ProbeImages {
        if (pixels.length != count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("probe images do not match count x rows x cols");
        }
        pixels = pixels.clone();
        labels = labels.clone();
        classNames = List.copyOf(classNames);
    }

    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** Grey level 0..255 of one pixel. */
    public int pixel(int image, int row, int col) {
        return pixels[(image * rows + row) * cols + col] & 0xff;
    }

    /** "3: Dress" style caption of one image. */
    public String caption(int image) {
        return "#" + image + " " + classNames.get(labels[image]);
    }
}
