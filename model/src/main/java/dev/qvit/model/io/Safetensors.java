package dev.qvit.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors, the layout PyTorch and timm share): an unsigned 64-bit
 * little-endian header length N, N bytes of JSON ({@code name -> {dtype, shape, data_offsets: [begin, end]}} and an
 * optional {@code __metadata__} map of strings), then the tensors' bytes, little-endian and row-major, packed in
 * offset order with no gaps. Written and read here without any other library; every way a file can be wrong is
 * refused with a message naming the file.
 */
public final class Safetensors {
    /** A header longer than this is refused before anything is allocated (the reference library's limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";

    private Safetensors() {
    }

    /** The element types this workbench reads and writes. */
    public enum DType {
        F64(8), F32(4), I64(8), I32(4), U8(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor of a file: its type, shape, and where its bytes lie relative to the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Collects tensors and metadata, then writes them in one go. */
    public static final class Writer {
        private final Map<String, Object> tensors = new LinkedHashMap<>();
        private final Map<String, long[]> shapes = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer put(String name, float[] values, long... shape) {
            return add(name, values, values.length, shape);
        }

        public Writer put(String name, double[] values, long... shape) {
            return add(name, values, values.length, shape);
        }

        public Writer put(String name, long[] values, long... shape) {
            return add(name, values, values.length, shape);
        }

        public Writer put(String name, int[] values, long... shape) {
            return add(name, values, values.length, shape);
        }

        public Writer put(String name, byte[] values, long... shape) {
            return add(name, values, values.length, shape);
        }

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        private Writer add(String name, Object values, long length, long[] shape) {
            if (name.isEmpty() || name.equals(METADATA) || tensors.containsKey(name)) {
                throw new IllegalArgumentException("tensor name '" + name + "' is empty, reserved or given twice");
            }
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (n != length) {
                throw new IllegalArgumentException("%s: %d values do not fill shape %s".formatted(name, length,
                        Arrays.toString(shape)));
            }
            tensors.put(name, values);
            shapes.put(name, shape.clone());
            return this;
        }

        /** The whole file as bytes. */
        public byte[] toBytes() {
            ObjectNode header = JSON.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode meta = header.putObject(METADATA);
                metadata.forEach(meta::put);
            }
            long offset = 0;
            for (Map.Entry<String, Object> t : tensors.entrySet()) {
                DType type = typeOf(t.getValue());
                long bytes = (long) java.lang.reflect.Array.getLength(t.getValue()) * type.bytes;
                ObjectNode entry = header.putObject(t.getKey());
                entry.put("dtype", type.name());
                var shape = entry.putArray("shape");
                for (long d : shapes.get(t.getKey())) {
                    shape.add(d);
                }
                entry.putArray("data_offsets").add(offset).add(offset + bytes);
                offset += bytes;
            }
            byte[] json;
            try {
                json = JSON.writeValueAsBytes(header);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            int padded = (json.length + 7) / 8 * 8;                  // the data section starts 8-byte aligned
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(padded).put(json);
            for (int i = json.length; i < padded; i++) {
                out.put((byte) ' ');
            }
            for (Object values : tensors.values()) {
                putValues(out, values);
            }
            return out.array();
        }

        /** Writes to a temporary file beside {@code file}, forces it to disk, then renames it over {@code file}. */
        public void write(Path file) throws IOException {
            writeAtomically(file, toBytes());
        }
    }

    /** Writes {@code bytes} to {@code file} through a flushed temporary file and an atomic rename. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            readableByOthers(temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Temporary files are private (rw-------); what they become is as readable as any file the user writes. */
    private static void readableByOthers(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static DType typeOf(Object values) {
        if (values instanceof float[]) {
            return DType.F32;
        } else if (values instanceof double[]) {
            return DType.F64;
        } else if (values instanceof long[]) {
            return DType.I64;
        } else if (values instanceof int[]) {
            return DType.I32;
        }
        return DType.U8;
    }

    private static void putValues(ByteBuffer out, Object values) {
        if (values instanceof float[] f) {
            out.asFloatBuffer().put(f);
            out.position(out.position() + f.length * 4);
        } else if (values instanceof double[] d) {
            out.asDoubleBuffer().put(d);
            out.position(out.position() + d.length * 8);
        } else if (values instanceof long[] l) {
            out.asLongBuffer().put(l);
            out.position(out.position() + l.length * 8);
        } else if (values instanceof int[] i) {
            out.asIntBuffer().put(i);
            out.position(out.position() + i.length * 4);
        } else {
            out.put((byte[]) values);
        }
    }

    /** A file read and checked whole; its tensors are copied out on request. */
    public static final class Content {
        private final String source;
        private final ByteBuffer data;                       // the data section, little-endian
        private final Map<String, Entry> entries;
        private final Map<String, String> metadata;

        private Content(String source, ByteBuffer data, Map<String, Entry> entries, Map<String, String> metadata) {
            this.source = source;
            this.data = data;
            this.entries = entries;
            this.metadata = metadata;
        }

        public List<String> names() {
            return List.copyOf(entries.keySet());
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        public boolean contains(String name) {
            return entries.containsKey(name);
        }

        public Entry entry(String name) throws SafetensorsException {
            Entry e = entries.get(name);
            if (e == null) {
                throw new SafetensorsException(source + " has no tensor '" + name + "'");
            }
            return e;
        }

        /** The tensor's values as float32, checking its shape (null: any). F64 is refused: no silent narrowing. */
        public float[] floats(String name, long... expectedShape) throws SafetensorsException {
            Entry e = typed(name, DType.F32, expectedShape);
            float[] out = new float[Math.toIntExact(e.elements())];
            slice(e).asFloatBuffer().get(out);
            return out;
        }

        public double[] doubles(String name, long... expectedShape) throws SafetensorsException {
            Entry e = typed(name, DType.F64, expectedShape);
            double[] out = new double[Math.toIntExact(e.elements())];
            slice(e).asDoubleBuffer().get(out);
            return out;
        }

        public long[] longs(String name, long... expectedShape) throws SafetensorsException {
            Entry e = typed(name, DType.I64, expectedShape);
            long[] out = new long[Math.toIntExact(e.elements())];
            slice(e).asLongBuffer().get(out);
            return out;
        }

        public int[] ints(String name, long... expectedShape) throws SafetensorsException {
            Entry e = typed(name, DType.I32, expectedShape);
            int[] out = new int[Math.toIntExact(e.elements())];
            slice(e).asIntBuffer().get(out);
            return out;
        }

        public byte[] bytes(String name, long... expectedShape) throws SafetensorsException {
            Entry e = typed(name, DType.U8, expectedShape);
            byte[] out = new byte[Math.toIntExact(e.elements())];
            slice(e).get(out);
            return out;
        }

        private Entry typed(String name, DType type, long[] expectedShape) throws SafetensorsException {
            Entry e = entry(name);
            if (e.dtype() != type) {
                throw new SafetensorsException("%s: tensor '%s' is %s, not %s".formatted(source, name, e.dtype(), type));
            }
            if (expectedShape.length > 0 && !Arrays.equals(e.shape(), expectedShape)) {
                throw new SafetensorsException("%s: tensor '%s' has shape %s, not %s".formatted(source, name,
                        Arrays.toString(e.shape()), Arrays.toString(expectedShape)));
            }
            return e;
        }

        private ByteBuffer slice(Entry e) {
            return data.duplicate().position((int) e.begin()).limit((int) e.end()).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Reads and checks a whole file. */
    public static Content read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new SafetensorsException("cannot read " + file + ": " + e.getMessage());
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new SafetensorsException(file + " is larger than this workbench reads (2 GB)");
        }
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /** Checks and indexes {@code bytes}, which {@code source} names in messages. */
    public static Content parse(String source, byte[] bytes) throws SafetensorsException {
        if (bytes.length < 8) {
            throw new SafetensorsException(source + " is not a safetensors file: " + bytes.length + " bytes");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = all.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8) {
            throw new SafetensorsException("%s is not a safetensors file: it declares a header of %s bytes in a file of %d"
                    .formatted(source, Long.toUnsignedString(headerLength), bytes.length));
        }
        int dataStart = (int) (8 + headerLength);
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(source + " is not a safetensors file: its header is not JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (header == null || !header.isObject()) {
            throw new SafetensorsException(source + " is not a safetensors file: its header is not a JSON object");
        }
        Map<String, String> metadata = metadata(source, header.get(METADATA));
        List<Entry> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals(METADATA)) {
                list.add(entry(source, f.getKey(), f.getValue()));
            }
        }
        long dataLength = bytes.length - dataStart;
        checkLayout(source, list, dataLength);
        Map<String, Entry> entries = new LinkedHashMap<>();
        list.forEach(e -> entries.put(e.name(), e));
        ByteBuffer data = all.duplicate().position(dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Content(source, data, Collections.unmodifiableMap(entries), metadata);
    }

    private static Map<String, String> metadata(String source, JsonNode node) throws SafetensorsException {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return Collections.unmodifiableMap(out);
        }
        if (!node.isObject()) {
            throw new SafetensorsException(source + ": __metadata__ is not a map of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw new SafetensorsException(source + ": __metadata__ '" + f.getKey() + "' is not a string");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String source, String name, JsonNode node) throws SafetensorsException {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw new SafetensorsException(where + " lacks dtype, shape or data_offsets");
        }
        DType type;
        try {
            type = DType.valueOf(node.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(where + " has dtype " + node.get("dtype").asText()
                    + ", which this workbench does not read (F64, F32, I64, I32, U8)");
        }
        long[] shape = new long[node.get("shape").size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(where + " has an invalid shape " + node.get("shape"));
            }
            shape[i] = d.asLong();
            elements = Math.multiplyHigh(elements, shape[i]) != 0 ? -1 : elements * shape[i];
            if (elements < 0) {
                throw new SafetensorsException(where + " has a shape too large to exist " + node.get("shape"));
            }
        }
        JsonNode o = node.get("data_offsets");
        if (!o.get(0).canConvertToLong() || !o.get(1).canConvertToLong()) {
            throw new SafetensorsException(where + " has invalid data_offsets " + o);
        }
        long begin = o.get(0).asLong();
        long end = o.get(1).asLong();
        if (begin < 0 || end < begin || elements > Long.MAX_VALUE / type.bytes || end - begin != elements * type.bytes) {
            throw new SafetensorsException("%s: its data_offsets %s do not hold %d %s values".formatted(where, o,
                    elements, type));
        }
        return new Entry(name, type, shape, begin, end);
    }

    /** The tensors must tile the data section exactly, in some order, as the reference library requires. */
    private static void checkLayout(String source, List<Entry> list, long dataLength) throws SafetensorsException {
        List<Entry> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin() != at) {
                throw new SafetensorsException("%s: tensor '%s' starts at byte %d of the data, expected %d (overlap or gap)"
                        .formatted(source, e.name(), e.begin(), at));
            }
            at = e.end();
        }
        if (at != dataLength) {
            throw new SafetensorsException("%s is truncated or has trailing bytes: its tensors take %d bytes, the file holds %d"
                    .formatted(source, at, dataLength));
        }
    }

    /** A file that is not a safetensors file this workbench can read; the message names the file and the problem. */
    public static final class SafetensorsException extends IOException {
        public SafetensorsException(String message) {
            super(message);
        }
    }
}
