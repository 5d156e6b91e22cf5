package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.io.Safetensors;
import dev.qvit.records.ProbeImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The probe batch a run's snapshots were taken on ({@code probe-images.safetensors}): {@code pixels} uint8
 * [images, rows, cols] (grey) or [images, 3, rows, cols] (RGB), {@code labels} int32 [images] (-1: none), the class
 * names as JSON in {@code __metadata__}; what the attention views draw their maps over.
 */
final class ProbeImagesFile {
    static final String FILE = "probe-images.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeImagesFile() {
    }

    static void write(Path dir, ProbeImages images) throws SessionException {
        try {
            new Safetensors.Writer().metadata("format", "qvit-probe-images").metadata("version", "1")
                    .metadata("classNames", JSON.writeValueAsString(images.classNames()))
                    .put("pixels", images.pixels(), shape(images))
                    .put("labels", images.labels(), images.count())
                    .write(dir.resolve(FILE));
        } catch (IOException e) {
            throw new SessionException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private static long[] shape(ProbeImages images) {
        return images.channels() == 1 ? new long[] {images.count(), images.rows(), images.cols()}
                : new long[] {images.count(), images.channels(), images.rows(), images.cols()};
    }

    static ProbeImages read(Path dir) throws SessionException {
        Path f = dir.resolve(FILE);
        try {
            Safetensors.Content c = Safetensors.read(f);
            Safetensors.Entry pixels = c.entry("pixels");
            long[] shape = pixels.shape();
            if (shape.length != 3 && shape.length != 4) {
                throw new SessionException(f + ": pixels must be [images, rows, cols] or [images, 3, rows, cols]");
            }
            int n = (int) shape[0];
            int channels = shape.length == 3 ? 1 : (int) shape[1];
            List<String> names = JSON.readValue(c.metadata().getOrDefault("classNames", "[]"), new TypeReference<>() {
            });
            return new ProbeImages(n, channels, (int) shape[shape.length - 2], (int) shape[shape.length - 1],
                    c.bytes("pixels"),
                    c.ints("labels", n), names);
        } catch (SessionException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new SessionException(f + ": unreadable class names");
        } catch (IOException e) {
            throw new SessionException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SessionException(f + " holds inconsistent probe images: " + e);
        }
    }
}
