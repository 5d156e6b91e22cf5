package dev.qvit.model.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Buffers are reused while the shape stays and freed at once when it changes (no off-heap memory left to the GC). */
class BuffersTest {
    private final Buffers buffers = new Buffers(DataType.FLOAT);

    @Test
    void sameShapeReturnsTheSameBuffer() {
        INDArray first = buffers.get("x", 64, 50, 16);

        assertSame(first, buffers.get("x", 64, 50, 16));
        assertFalse(first.wasClosed());
    }

    @Test
    void anotherShapeFreesTheOldBufferAtOnce() {
        INDArray fullBatch = buffers.get("x", 64, 50, 16);
        INDArray ones = buffers.constant("ones", 1.0, 1, 3200);

        INDArray lastBatch = buffers.get("x", 16, 50, 16);
        buffers.constant("ones", 1.0, 1, 800);

        assertTrue(fullBatch.wasClosed(), "replaced buffer must be closed, not left for the GC");
        assertTrue(ones.wasClosed(), "replaced constant must be closed");
        assertFalse(lastBatch.wasClosed());
        assertThrows(IllegalStateException.class, () -> fullBatch.addi(1), "a kept stale buffer fails loudly");
    }

    @Test
    void buffersOfOtherKeysAreUntouched() {
        INDArray a = buffers.get("a", 4, 4);
        buffers.get("b", 4, 4);
        buffers.get("b", 8, 4);

        assertFalse(a.wasClosed());
    }
}
