package dev.qvit.model.nn.fused;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The native memory of a dense float32 ND4J array as a little-endian byte buffer, from the array's own first
 * element: {@code data().asNio()} starts at the allocation, not at a view's offset, runs past the view, and its
 * copies ({@code slice}, {@code duplicate}) forget the byte order, so all of that is settled here once. The array is
 * kept referenced, since a buffer does not keep its array (and so its memory) alive.
 */
public final class FloatMemory {
    private final INDArray array;   // only held: the memory lives as long as its array
    private final ByteBuffer bytes;
    private final FloatBuffer floats;
    private final int base;
    private final int first;

    private FloatMemory(INDArray array, ByteBuffer bytes, int base) {
        this.array = array;
        this.bytes = bytes;
        this.floats = bytes.asFloatBuffer();
        this.base = base;
        this.first = base / Float.BYTES;
    }

    /**
     * Whether {@code a} is float32 with its elements contiguous in row-major order (any offset). The strides decide,
     * not {@code ordering()}; axes of size 1 may have any stride.
     */
    public static boolean isDense(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.length() == 0 || a.length() > Integer.MAX_VALUE / Float.BYTES) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The memory of a dense float32 array; anything else is refused. */
    public static FloatMemory of(INDArray a) {
        if (!isDense(a)) {
            throw new IllegalArgumentException("fused kernels need a dense row-major float32 array, got "
                    + a.dataType() + " " + a.shapeInfoToString().replace('\n', ' '));
        }
        ByteBuffer nio = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        long base = a.offset() * Float.BYTES;
        long end = base + a.length() * Float.BYTES;
        if (!ByteOrder.nativeOrder().equals(ByteOrder.LITTLE_ENDIAN) || end > nio.capacity()) {
            throw new IllegalArgumentException("array memory does not cover its view (offset " + a.offset()
                    + ", length " + a.length() + ", buffer " + nio.capacity() / Float.BYTES + " floats)");
        }
        return new FloatMemory(a, nio, (int) base);
    }

    /** The bytes; element i is at {@code base() + 4 i}. */
    ByteBuffer bytes() {
        return bytes;
    }

    /** Byte index of element 0. */
    int base() {
        return base;
    }

    public float get(int i) {
        return floats.get(first + i);
    }

    public void put(int i, float value) {
        floats.put(first + i, value);
    }

    /** Copies the first {@code out.length} elements into {@code out}. */
    public float[] copyTo(float[] out) {
        read(0, out, out.length);
        return out;
    }

    /** Copies elements [from, from + count) into dst[0, count) in one bulk read. */
    public void read(int from, float[] dst, int count) {
        floats.get(first + from, dst, 0, count);
    }

    /** Writes src[0, count) into elements [from, from + count) in one bulk write. */
    public void write(int from, float[] src, int count) {
        floats.put(first + from, src, 0, count);
    }

    /** Writes {@code values} into the first {@code values.length} elements. */
    public void copyFrom(float[] values) {
        write(0, values, values.length);
    }
}
