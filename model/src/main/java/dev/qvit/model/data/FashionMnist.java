package dev.qvit.model.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017, MIT licence): the full set from Debian's {@code dataset-fashion-mnist} package
 * or any folder with the four IDX files, or the stratified 10 % subset bundled in this jar.
 */
public final class FashionMnist {
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Pixel statistics of the training set, for x = (pixel/255 - MEAN) / STD (method doc section 1). */
    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String BUNDLED = "Fashion-MNIST bundled 10% subset";
    static final String BUNDLED_RESOURCE = "/dev/qvit/data/fashion-mnist-subset/";
    private static final String HOW_TO_GET = "install it with 'apt-get install dataset-fashion-mnist' or pass "
            + "--data DIR with train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) "
            + "and t10k-labels-idx1-ubyte(.gz), or use --data bundled";

    private FashionMnist() {
    }

    /** Train and test split. */
    public record Splits(ImageDataset train, ImageDataset test, String description) {
    }

    /**
     * Loads by name: "bundled" (the subset in this jar), "full" (the system package), "auto" (full when installed,
     * else bundled) or a folder path.
     */
    public static Splits load(String spec) {
        Path dir = folder(spec);
        return dir == null ? bundled() : fromDirectory(dir);
    }

    /** The test split alone, by the same names as {@link #load}: evaluation reads no training images. */
    public record TestSet(ImageDataset images, String description) {
    }

    public static TestSet test(String spec) {
        Path dir = folder(spec);
        if (dir == null) {
            return new TestSet(bundledSplit("t10k"), BUNDLED);
        }
        requireFolder(dir);
        return new TestSet(split(dir, "t10k"), "Fashion-MNIST from " + dir);
    }

    /** The folder that {@code spec} names, null for the bundled subset. */
    private static Path folder(String spec) {
        return switch (spec) {
            case "bundled" -> null;
            case "full" -> {
                if (!Files.isDirectory(SYSTEM_DIR)) {
                    throw new DatasetException("The full Fashion-MNIST is not installed at " + SYSTEM_DIR + ": " + HOW_TO_GET);
                }
                yield SYSTEM_DIR;
            }
            case "auto" -> Files.isDirectory(SYSTEM_DIR) ? SYSTEM_DIR : null;
            default -> Path.of(spec);
        };
    }

    public static boolean fullSetInstalled() {
        return Files.isDirectory(SYSTEM_DIR);
    }

    public static Splits bundled() {
        return new Splits(bundledSplit("train"), bundledSplit("t10k"), BUNDLED);
    }

    public static Splits fromDirectory(Path dir) {
        requireFolder(dir);
        return new Splits(split(dir, "train"), split(dir, "t10k"), "Fashion-MNIST from " + dir);
    }

    private static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("No data folder at " + dir + ": " + HOW_TO_GET);
        }
    }

    private static ImageDataset split(Path dir, String prefix) {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return assemble(IdxFile.readImages(i, images.toString()), IdxFile.readLabels(l, labels.toString()),
                    dir + "/" + prefix);
        } catch (IOException e) {
            throw new DatasetException("Cannot read " + images + " / " + labels + ": " + e.getMessage(), e);
        }
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new DatasetException("Missing " + base + "(.gz) in " + dir + ": " + HOW_TO_GET);
    }

    private static ImageDataset bundledSplit(String prefix) {
        String images = BUNDLED_RESOURCE + prefix + "-images-idx3-ubyte.gz";
        String labels = BUNDLED_RESOURCE + prefix + "-labels-idx1-ubyte.gz";
        try (InputStream i = resource(images); InputStream l = resource(labels)) {
            return assemble(IdxFile.readImages(i, images), IdxFile.readLabels(l, labels), "bundled/" + prefix);
        } catch (IOException e) {
            throw new DatasetException("Cannot read the bundled subset: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = FashionMnist.class.getResourceAsStream(name);
        if (in == null) {
            throw new DatasetException("The bundled subset " + name + " is missing from the build; rebuild with ./qvit");
        }
        return in;
    }

    private static ImageDataset assemble(IdxFile.Images images, byte[] labels, String name) {
        return new ImageDataset(name, images.count(), images.rows(), images.cols(), images.pixels(), labels, CLASS_NAMES);
    }
}
