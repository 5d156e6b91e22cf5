package dev.qvit.model.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of (Fashion-)MNIST, raw or gzip-compressed: a magic number 0x0000080N (unsigned bytes, N
 * dimensions), N big-endian dimension sizes, then the data. Every field is validated.
 */
public final class IdxFile {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFile() {
    }

    /** Images: [count, rows, cols] unsigned bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    public static Images readImages(InputStream in, String source) {
        ParsedIdx idx = parse(in, source, 3);
        return new Images(idx.dims[0], idx.dims[1], idx.dims[2], idx.data);
    }

    public static byte[] readLabels(InputStream in, String source) {
        return parse(in, source, 1).data;
    }

    private record ParsedIdx(int[] dims, byte[] data) {
    }

    private static ParsedIdx parse(InputStream raw, String source, int expectedDims) {
        byte[] bytes = readAll(raw, source);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 4) {
            throw new DatasetException(source + ": file too short for an IDX header (" + bytes.length + " bytes)");
        }
        int magic = in.getInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
            throw new DatasetException("%s: not an IDX file of unsigned bytes (magic 0x%08x)".formatted(source, magic));
        }
        int dims = magic & 0xff;
        if (dims != expectedDims) {
            throw new DatasetException("%s: expected %d dimensions (%s), found %d"
                    .formatted(source, expectedDims, expectedDims == 3 ? "images" : "labels", dims));
        }
        if (bytes.length < 4 + 4 * dims) {
            throw new DatasetException(source + ": file too short for an IDX header (" + bytes.length + " bytes)");
        }
        int[] sizes = new int[dims];
        long length = 1;
        for (int i = 0; i < dims; i++) {
            sizes[i] = in.getInt();
            if (sizes[i] <= 0) {
                throw new DatasetException(source + ": dimension " + i + " has size " + sizes[i]);
            }
            length *= sizes[i];
        }
        if (in.remaining() != length) {
            throw new DatasetException("%s: header promises %d bytes of data but the file has %d (%s)"
                    .formatted(source, length, in.remaining(), in.remaining() < length ? "truncated" : "trailing bytes"));
        }
        byte[] data = new byte[(int) length];
        in.get(data);
        return new ParsedIdx(sizes, data);
    }

    private static byte[] readAll(InputStream raw, String source) {
        try (InputStream in = source.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new DatasetException(source + ": cannot read (" + e.getMessage() + "); is the file truncated or not gzip?", e);
        }
    }
}
