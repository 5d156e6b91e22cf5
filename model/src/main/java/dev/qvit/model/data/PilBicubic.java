package dev.qvit.model.data;

/**
 * Bicubic resizing of 8-bit image planes exactly as Pillow's {@code Image.resize(size, BICUBIC)} (libImaging
 * Resample.c), which torchvision's and so timm's evaluation transform call: a separable convolution with the
 * bicubic kernel (a = -0.5) widened by the scale when shrinking (antialiasing), coefficients normalised and turned
 * into 22-bit fixed point, the horizontal pass first into an 8-bit intermediate, then the vertical pass, each
 * rounded and clipped to 0..255. The same integers as Pillow, so a model sees the same input here as in PyTorch.
 */
public final class PilBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PilBicubic() {
    }

    /** One plane [height][width] (values 0..255, row-major) resized to [outHeight][outWidth]. */
    public static int[] resize(int[] plane, int width, int height, int outWidth, int outHeight) {
        Coefficients horizontal = new Coefficients(width, outWidth);
        Coefficients vertical = new Coefficients(height, outHeight);
        boolean needHorizontal = outWidth != width;
        boolean needVertical = outHeight != height;
        int[] rows = plane;
        int first = 0;
        int rowCount = height;
        if (needHorizontal) {
            first = vertical.min[0];                                      // only the rows the vertical pass reads
            int last = vertical.min[outHeight - 1] + vertical.count[outHeight - 1];
            rowCount = last - first;
            rows = new int[rowCount * outWidth];
            for (int y = 0; y < rowCount; y++) {
                for (int x = 0; x < outWidth; x++) {
                    rows[y * outWidth + x] = horizontal.apply(plane, (y + first) * width, 1, x);
                }
            }
        }
        if (!needVertical) {
            return needHorizontal ? rows : plane.clone();
        }
        int w = needHorizontal ? outWidth : width;
        int[] out = new int[outHeight * w];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = vertical.applyShifted(rows, x, w, y, first);
            }
        }
        return out;
    }

    /** Pillow's precompute_coeffs and normalize_coeffs_8bpc for one axis. */
    private static final class Coefficients {
        final int size;
        final int[] min;
        final int[] count;
        final int[] weights;     // [out][size], fixed point

        Coefficients(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            this.size = (int) Math.ceil(support) * 2 + 1;
            this.min = new int[outSize];
            this.count = new int[outSize];
            this.weights = new int[outSize * size];
            double[] k = new double[size];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = bicubic((x + xmin - center + 0.5) * ss);
                    total += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double w = total != 0.0 ? k[x] / total : k[x];
                    weights[o * size + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS)
                            : 0.5 + w * (1 << PRECISION_BITS));
                }
                min[o] = xmin;
                count[o] = xmax;
            }
        }

        /** Output o of a line of {@code in} starting at {@code base} with elements {@code stride} apart. */
        int apply(int[] in, int base, int stride, int o) {
            int ss = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < count[o]; x++) {
                ss += in[base + (min[o] + x) * stride] * weights[o * size + x];
            }
            return clip8(ss);
        }

        /** Output row o at column x of an intermediate whose row 0 is source row {@code first}. */
        int applyShifted(int[] rows, int column, int width, int o, int first) {
            return apply(rows, column - first * width, width, o);
        }
    }

    private static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static double bicubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }
}
