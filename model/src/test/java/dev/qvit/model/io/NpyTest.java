package dev.qvit.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class NpyTest {

    @Test
    void floatsRoundTrip() throws IOException {
        float[] values = {1.5f, -2f, 3.25f, 0f, 7f, -1e-7f};
        Npy.Array a = Npy.read(Npy.writeFloats(values, new long[] {2, 3}), "t");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.floats()).containsExactly(values);
    }

    @Test
    void headerIsPaddedToSixtyFourBytes() {
        byte[] bytes = Npy.writeFloats(new float[] {1}, new long[] {1});
        assertThat((bytes.length - 4) % 64).isZero();
    }

    @Test
    void truncatedDataIsRejectedWithTheSource() {
        byte[] bytes = Npy.writeFloats(new float[] {1, 2, 3, 4}, new long[] {4});
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> Npy.read(cut, "weights.npy")).isInstanceOf(IOException.class)
                .hasMessageContaining("weights.npy").hasMessageContaining("expected 4 values");
    }

    @Test
    void garbageIsRejected() {
        assertThatThrownBy(() -> Npy.read(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "x"))
                .isInstanceOf(IOException.class).hasMessageContaining("bad magic");
    }
}
