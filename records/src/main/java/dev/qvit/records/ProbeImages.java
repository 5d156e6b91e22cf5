package dev.qvit.records;

import java.util.List;

/**
 * The probe batch's images as the user sees them, as the model saw them (a timm DeiT's: after its resize and crop):
 * raw levels (0..255) per channel, and labels (-1: the image has none).
 *
 * @param channels   1 (grey) or 3 (RGB)
 * @param pixels     [image, channel, row, col] row-major
 * @param classNames the class names, or empty when no image has a label
 */
public record ProbeImages(int count, int channels, int rows, int cols, byte[] pixels, int[] labels,
                          List<String> classNames) {

    public ProbeImages {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("probe images are grey or RGB, not " + channels + " channels");
        }
        if (pixels.length != count * channels * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("probe images do not match count x channels x rows x cols");
        }
        pixels = pixels.clone();
        labels = labels.clone();
        classNames = List.copyOf(classNames);
    }

    /** Grey images. */
    public ProbeImages(int count, int rows, int cols, byte[] pixels, int[] labels, List<String> classNames) {
        this(count, 1, rows, cols, pixels, labels, classNames);
    }

    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** Level 0..255 of one channel of one pixel. */
    public int pixel(int image, int channel, int row, int col) {
        return pixels[((image * channels + channel) * rows + row) * cols + col] & 0xff;
    }

    /** Grey level 0..255 of one pixel (of an RGB image: its luma, ITU-R 601 weights). */
    public int pixel(int image, int row, int col) {
        if (channels == 1) {
            return pixel(image, 0, row, col);
        }
        return (int) Math.round(0.299 * pixel(image, 0, row, col) + 0.587 * pixel(image, 1, row, col)
                + 0.114 * pixel(image, 2, row, col));
    }

    /** One pixel as 0xRRGGBB (grey: the level in all three). */
    public int rgb(int image, int row, int col) {
        int r = pixel(image, 0, row, col);
        int g = channels == 1 ? r : pixel(image, 1, row, col);
        int b = channels == 1 ? r : pixel(image, 2, row, col);
        return (r << 16) | (g << 8) | b;
    }

    /** "#3 Dress" style caption of one image ("#3" without a label). */
    public String caption(int image) {
        int label = labels[image];
        return label < 0 || label >= classNames.size() ? "#" + image : "#" + image + " " + classNames.get(label);
    }
}
