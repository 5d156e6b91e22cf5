package dev.qvit.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer of NumPy's .npy format (version 1/2, little-endian, C order) for float32, float64 and
 * int64 arrays. Parsed in Java so that a corrupt file is a clear error, never a native crash.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A decoded array: its shape and its values widened to double. */
    public record Array(long[] shape, double[] values) {
        public Array {
            shape = shape.clone();
            values = values.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        public float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }
    }

    public static Array read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /** Decodes {@code bytes}; {@code source} names the file in error messages. */
    public static Array read(byte[] bytes, String source) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(source + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        in.position(8);
        int headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
        if (headerLength <= 0 || in.position() + headerLength > bytes.length) {
            throw new IOException(source + ": truncated .npy header");
        }
        String header = new String(bytes, in.position(), headerLength, StandardCharsets.ISO_8859_1);
        in.position(in.position() + headerLength);
        String descr = group(DESCR, header, source, "dtype");
        if (group(ORDER, header, source, "order").equals("True")) {
            throw new IOException(source + ": Fortran-ordered arrays are not supported");
        }
        long[] shape;
        try {
            shape = parseShape(group(SHAPE, header, source, "shape"));
        } catch (NumberFormatException e) {
            throw new IOException(source + ": bad shape in .npy header: " + e.getMessage());
        }
        long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int width = switch (descr) {
            case "<f4" -> 4;
            case "<f8", "<i8" -> 8;
            default -> throw new IOException(source + ": unsupported dtype " + descr + " (need <f4, <f8 or <i8)");
        };
        if (count > Integer.MAX_VALUE || in.remaining() != count * width) {
            throw new IOException("%s: expected %d values of %d bytes for shape %s, found %d bytes"
                    .formatted(source, count, width, Arrays.toString(shape), in.remaining()));
        }
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (descr) {
                case "<f4" -> in.getFloat();
                case "<f8" -> in.getDouble();
                default -> in.getLong();
            };
        }
        return new Array(shape, values);
    }

    /** Encodes float32 values of the given shape. */
    public static byte[] writeFloats(float[] values, long[] shape) {
        ByteBuffer out = header("<f4", shape, values.length * 4L);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    private static ByteBuffer header(String descr, long[] shape, long dataBytes) {
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        }
        String dict = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }".formatted(descr, dims);
        int total = 10 + dict.length() + 1;
        int padding = (64 - total % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate((int) (10 + text.length() + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    private static String group(Pattern p, String header, String source, String what) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(source + ": .npy header has no " + what);
        }
        return m.group(1);
    }

    private static long[] parseShape(String text) {
        String[] parts = text.trim().isEmpty() ? new String[0] : text.split(",");
        return Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(s -> {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException("negative dimension " + v);
            }
            return v;
        }).toArray();
    }
}
