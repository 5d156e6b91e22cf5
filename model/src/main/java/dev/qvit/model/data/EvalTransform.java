package dev.qvit.model.data;

import java.awt.image.BufferedImage;

/**
 * timm's evaluation transform for ImageNet models (transforms_factory, eval): resize the shorter side to
 * floor(size / cropPct) with Pillow's bicubic filter (the longer side in proportion, truncated as torchvision does),
 * crop the centre size x size (offsets rounded half to even, as Python's round), scale to [0, 1] and normalise each
 * RGB channel with the mean and standard deviation. A grey image is read as RGB with three equal channels.
 *
 * @param size    side of the model's input (224 for the DeiT and Swin checkpoints)
 * @param cropPct the centre crop's share of the resized image (0.875 for DeiT)
 */
public record EvalTransform(int size, double cropPct, float[] mean, float[] std) {
    /** ImageNet's mean and std (timm's IMAGENET_DEFAULT_MEAN / STD). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public EvalTransform {
        if (size <= 0 || !(cropPct > 0 && cropPct <= 1) || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("an evaluation transform needs a positive size, a crop share in (0, 1] "
                    + "and three means and standard deviations");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** DeiT's: 224 pixels, crop 0.875, bicubic, ImageNet statistics. */
    public static EvalTransform deit() {
        return deit(224);
    }

    /** DeiT's at another input size (a model's own). */
    public static EvalTransform deit(int size) {
        return new EvalTransform(size, 0.875, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** The image as the model's input, [3, size, size] row-major per channel. */
    public float[] apply(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int shorter = (int) Math.floor(size / cropPct);
        int outW = w <= h ? shorter : (int) ((long) shorter * w / h);
        int outH = w <= h ? (int) ((long) shorter * h / w) : shorter;
        if (outW < size || outH < size) {
            throw new IllegalArgumentException("image of %dx%d is too small for a %d crop".formatted(w, h, size));
        }
        int left = roundHalfEven((outW - size) / 2.0);
        int top = roundHalfEven((outH - size) / 2.0);
        int[][] planes = rgbPlanes(image);
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            int[] resized = PilBicubic.resize(planes[c], w, h, outW, outH);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float v = resized[(y + top) * outW + x + left] / 255f;
                    out[(c * size + y) * size + x] = (v - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    /**
     * The levels 0..255 an input of {@link #apply} was made of (its crop as the model sees it, for the views): the
     * normalisation undone and rounded, exact since every level is k / 255.
     */
    public byte[] levels(float[] input) {
        int plane = input.length / 3;
        byte[] out = new byte[input.length];
        for (int i = 0; i < input.length; i++) {
            int c = i / plane;
            long level = Math.round((input[i] * std[c] + mean[c]) * 255.0);
            out[i] = (byte) Math.max(0, Math.min(255, level));
        }
        return out;
    }

    /**
     * The R, G and B planes (0..255) as Pillow's convert("RGB") gives them: grey replicated, alpha dropped, palette
     * colours looked up. The raster's samples, not getRGB, which would convert grey through a gamma curve.
     */
    static int[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] planes = new int[3][w * h];
        java.awt.image.Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        if (image.getColorModel() instanceof java.awt.image.IndexColorModel) {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                planes[0][i] = (argb[i] >> 16) & 0xff;
                planes[1][i] = (argb[i] >> 8) & 0xff;
                planes[2][i] = argb[i] & 0xff;
            }
            return planes;
        }
        int shift = raster.getSampleModel().getSampleSize(0) - 8;                // 16-bit files: the high byte
        for (int c = 0; c < 3; c++) {
            int band = bands >= 3 ? c : 0;
            int[] samples = raster.getSamples(0, 0, w, h, band, (int[]) null);
            for (int i = 0; i < samples.length; i++) {
                planes[c][i] = samples[i] >> Math.max(shift, 0);
            }
        }
        return planes;
    }

    private static int roundHalfEven(double v) {
        return (int) Math.rint(v);
    }
}
