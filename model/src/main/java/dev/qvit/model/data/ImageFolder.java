package dev.qvit.model.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder of PNG or JPEG images as a model's normalised input, as torchvision's ImageFolder reads one: a folder per
 * class (classes in sorted order give the labels, as for ImageNet's synset folders) or the images directly (no
 * labels). Files are taken in sorted order.
 *
 * @param images  one [3, S, S] input per image, normalised by the transform
 * @param labels  per image its class index, -1 without class folders
 * @param classes the class folders' names (empty without)
 * @param files   the image files, in the order of {@code images}
 */
public record ImageFolder(List<float[]> images, int[] labels, List<String> classes, List<Path> files) {

    /**
     * @throws DatasetException in one sentence when the folder is missing, holds no image, or a file is not one
     */
    public static ImageFolder read(Path dir, EvalTransform transform) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir + " is not a folder of images");
        }
        List<Path> classDirs = sorted(dir).filter(Files::isDirectory).toList();
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        if (classDirs.isEmpty()) {
            readImages(dir, transform, -1, images, labels, files);
        }
        for (int c = 0; c < classDirs.size(); c++) {
            readImages(classDirs.get(c), transform, c, images, labels, files);
        }
        if (images.isEmpty()) {
            throw new DatasetException(dir + " holds no PNG or JPEG image (nor class folders of them)");
        }
        return new ImageFolder(List.copyOf(images), labels.stream().mapToInt(Integer::intValue).toArray(),
                classDirs.stream().map(p -> p.getFileName().toString()).toList(), List.copyOf(files));
    }

    /** The images as one batch [n, 3, S, S], flat. */
    public float[] batch() {
        int per = images.get(0).length;
        float[] out = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, out, i * per, per);
        }
        return out;
    }

    public boolean labelled() {
        return !classes.isEmpty();
    }

    private static void readImages(Path dir, EvalTransform transform, int label, List<float[]> images,
                                   List<Integer> labels, List<Path> files) {
        for (Path file : sorted(dir).filter(ImageFolder::isImage).toList()) {
            BufferedImage image;
            try {
                image = ImageIO.read(file.toFile());
            } catch (IOException e) {
                throw new DatasetException(file + " could not be read as an image (" + e.getMessage() + ")");
            }
            if (image == null) {
                throw new DatasetException(file + " is not a PNG or JPEG image this workbench can read");
            }
            try {
                images.add(transform.apply(image));
            } catch (IllegalArgumentException e) {
                throw new DatasetException(file + ": " + e.getMessage());
            }
            labels.add(label);
            files.add(file);
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    private static Stream<Path> sorted(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList().stream();
        } catch (IOException e) {
            throw new DatasetException(dir + " could not be listed (" + e.getMessage() + ")");
        }
    }
}
