package dev.qvit.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

    static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void readsRawAndGzipImages() throws IOException {
        byte[] raw = idx(0x00000803, new int[] {2, 3, 4}, 24);
        IdxFile.Images a = IdxFile.readImages(new ByteArrayInputStream(raw), "x-images");
        IdxFile.Images b = IdxFile.readImages(new ByteArrayInputStream(gzip(raw)), "x-images.gz");
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.rows()).isEqualTo(3);
        assertThat(a.cols()).isEqualTo(4);
        assertThat(b.pixels()).isEqualTo(a.pixels()).hasSize(24);
    }

    @Test
    void truncatedFileNamesTheFileAndTheProblem() {
        byte[] raw = idx(0x00000803, new int[] {2, 3, 4}, 20);
        assertThatThrownBy(() -> IdxFile.readImages(new ByteArrayInputStream(raw), "train-images-idx3-ubyte"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte").hasMessageContaining("truncated");
    }

    @Test
    void wrongMagicIsRejected() {
        byte[] raw = idx(0x12345678, new int[] {2, 3, 4}, 24);
        assertThatThrownBy(() -> IdxFile.readImages(new ByteArrayInputStream(raw), "f"))
                .isInstanceOf(DatasetException.class).hasMessageContaining("not an IDX file");
    }

    @Test
    void labelsFileGivenAsImagesIsRejected() {
        byte[] raw = idx(0x00000801, new int[] {5}, 5);
        assertThatThrownBy(() -> IdxFile.readImages(new ByteArrayInputStream(raw), "labels"))
                .isInstanceOf(DatasetException.class).hasMessageContaining("expected 3 dimensions");
    }

    @Test
    void corruptGzipIsAReadableError() {
        byte[] notGzip = {1, 2, 3, 4, 5};
        assertThatThrownBy(() -> IdxFile.readLabels(new ByteArrayInputStream(notGzip), "t10k-labels.gz"))
                .isInstanceOf(DatasetException.class).hasMessageContaining("t10k-labels.gz");
    }

    @Test
    void missingFolderTellsHowToGetTheData(@TempDir Path dir) {
        assertThatThrownBy(() -> FashionMnist.fromDirectory(dir.resolve("nope")))
                .isInstanceOf(DatasetException.class).hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void folderMissingOneFileNamesIt(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x00000803, new int[] {1, 28, 28}, 784));
        assertThatThrownBy(() -> FashionMnist.fromDirectory(dir))
                .isInstanceOf(DatasetException.class).hasMessageContaining("train-labels-idx1-ubyte");
    }

    @Test
    void labelOutsideTheClassesIsRejected(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x00000803, new int[] {1, 28, 28}, 784));
        byte[] labels = idx(0x00000801, new int[] {1}, 0);
        labels = java.util.Arrays.copyOf(labels, labels.length + 1);
        labels[labels.length - 1] = 42;
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x00000803, new int[] {1, 28, 28}, 784));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x00000801, new int[] {1}, 1));
        assertThatThrownBy(() -> FashionMnist.fromDirectory(dir))
                .isInstanceOf(DatasetException.class).hasMessageContaining("label 42");
    }
}
