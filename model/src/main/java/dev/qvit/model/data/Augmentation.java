package dev.qvit.model.data;

import java.util.Random;

/**
 * Training augmentation of the method doc (section 6): a random 28x28 crop of the image zero-padded by 2 pixels,
 * then a horizontal flip with probability 0.5. Works on raw pixel values before normalisation.
 */
public final class Augmentation {
    public static final int PADDING = 2;
    private final Random random;

    public Augmentation(long seed) {
        this.random = new Random(seed);
    }

    /** Writes the augmented image of {@code src} (rows x cols raw pixels) into {@code dst}. */
    public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols) {
        int dy = random.nextInt(2 * PADDING + 1) - PADDING;
        int dx = random.nextInt(2 * PADDING + 1) - PADDING;
        boolean flip = random.nextBoolean();
        shiftAndFlip(src, srcOffset, dst, dstOffset, rows, cols, dy, dx, flip);
    }

    /** Makes the random draws of {@code images} calls of {@link #apply} without touching any image (a resume). */
    public void skip(long images) {
        for (long i = 0; i < images; i++) {
            random.nextInt(2 * PADDING + 1);
            random.nextInt(2 * PADDING + 1);
            random.nextBoolean();
        }
    }

    /** dst(r, c) = src(r + dy, c' + dx) with c' = flip ? cols-1-c : c, zero outside the image. */
    static void shiftAndFlip(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, int dy, int dx,
                             boolean flip) {
        for (int r = 0; r < rows; r++) {
            int sr = r + dy;
            for (int c = 0; c < cols; c++) {
                int sc = (flip ? cols - 1 - c : c) + dx;
                boolean inside = sr >= 0 && sr < rows && sc >= 0 && sc < cols;
                dst[dstOffset + r * cols + c] = inside ? src[srcOffset + sr * cols + sc] : 0f;
            }
        }
    }
}
