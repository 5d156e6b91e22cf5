package dev.qvit.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.qvit.model.io.Safetensors.SafetensorsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our safetensors against the layout written by reference/safetensors_layout.py, and against broken files. */
class SafetensorsTest {
    @TempDir
    Path dir;

    static byte[] fixture() throws IOException {
        try (InputStream in = SafetensorsTest.class.getResourceAsStream("reference.safetensors")) {
            return in.readAllBytes();
        }
    }

    private static byte[] sample() {
        return new Safetensors.Writer()
                .put("w", new float[] {1.5f, -2f, 3e-8f, Float.MAX_VALUE, -0f, Float.MIN_VALUE}, 2, 3)
                .put("m", new double[] {Math.PI, -1e-300}, 2)
                .put("step", new long[] {Long.MAX_VALUE}, 1)
                .put("order", new int[] {2, 0, 1}, 3)
                .put("px", new byte[] {0, 127, -128, -1}, 2, 2)
                .metadata("format", "qvit-test")
                .toBytes();
    }

    @Test
    void readsTheFileThePythonReferenceWrote() throws IOException {
        Safetensors.Content c = Safetensors.parse("reference.safetensors", fixture());
        assertThat(c.metadata()).containsEntry("format", "qvit-reference");
        assertThat(c.names()).containsExactly("blocks.0.attn.qkv.weight", "optimizer.step", "order", "running_var",
                "pixels", "empty");
        assertThat(c.floats("blocks.0.attn.qkv.weight", 2, 3)).containsExactly(0.1f, -2.5f, 3.0e-8f, 1.0e30f, -0.0f, 7.0f);
        assertThat(c.longs("optimizer.step")).containsExactly(123456789012L);
        assertThat(c.ints("order", 5)).containsExactly(4, 0, 3, 1, 2);
        assertThat(c.doubles("running_var")).containsExactly(1.0 / 3.0, -1.0e-300);
        assertThat(c.bytes("pixels", 2, 2)).containsExactly(0, 127, -128, -1);
        assertThat(c.floats("empty", 0, 4)).isEmpty();
    }

    @Test
    void whatWeWriteReadsBackBitForBitAndAlignsTheData() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Files.write(file, sample());
        Safetensors.Content c = Safetensors.read(file);
        assertThat(c.floats("w", 2, 3)).containsExactly(1.5f, -2f, 3e-8f, Float.MAX_VALUE, -0f, Float.MIN_VALUE);
        assertThat(Float.floatToRawIntBits(c.floats("w")[4])).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(c.doubles("m")).containsExactly(Math.PI, -1e-300);
        assertThat(c.longs("step")).containsExactly(Long.MAX_VALUE);
        assertThat(c.ints("order")).containsExactly(2, 0, 1);
        assertThat(c.metadata()).containsExactly(java.util.Map.entry("format", "qvit-test"));
        long headerLength = ByteBuffer.wrap(sample()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    @Test
    void thePythonReferenceReadsWhatWeWrite() throws Exception {
        Path script = Path.of("..", "reference", "safetensors_layout.py");
        assumeTrue(Files.exists(script) && python() != null, "python3 and reference/ are needed");
        Path file = dir.resolve("ours.safetensors");
        Files.write(file, sample());
        Process p = new ProcessBuilder(python(), script.toString(), "check", file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"values\": [1.5, -2.0, ")
                .contains("\"step\": {\"dtype\": \"I64\", \"shape\": [1], \"values\": [9223372036854775807]}")
                .contains("\"px\": {\"dtype\": \"U8\", \"shape\": [2, 2], \"values\": [0, 127, 128, 255]}")
                .contains("\"format\": \"qvit-test\"");
    }

    private static String python() {
        for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                if (new ProcessBuilder(candidate, "--version").start().waitFor(10, TimeUnit.SECONDS)) {
                    return candidate;
                }
            } catch (IOException | InterruptedException e) {
                // try the next
            }
        }
        return null;
    }

    @Test
    void askingForAnotherTypeShapeOrNameIsRefusedInWords() throws IOException {
        Safetensors.Content c = Safetensors.parse("x.safetensors", sample());
        assertThatThrownBy(() -> c.doubles("w")).isInstanceOf(SafetensorsException.class)
                .hasMessage("x.safetensors: tensor 'w' is F32, not F64");
        assertThatThrownBy(() -> c.floats("w", 3, 2)).hasMessage("x.safetensors: tensor 'w' has shape [2, 3], not [3, 2]");
        assertThatThrownBy(() -> c.floats("nope")).hasMessage("x.safetensors has no tensor 'nope'");
    }

    @Test
    void aHugeDeclaredHeaderIsRefusedBeforeAnythingIsAllocated() {
        byte[] bytes = sample();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE - 3);
        assertThatThrownBy(() -> Safetensors.parse("big.safetensors", bytes)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("big.safetensors is not a safetensors file: it declares a header of");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);   // 2^64 - 1 unsigned
        assertThatThrownBy(() -> Safetensors.parse("big.safetensors", bytes))
                .hasMessageContaining("18446744073709551615");
    }

    @Test
    void aForeignDtypeOrOverlappingTensorsAreNamed() {
        String json = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        assertThatThrownBy(() -> Safetensors.parse("bf.safetensors", file(json, 4)))
                .hasMessageContaining("tensor 'a' has dtype BF16, which this workbench does not read");
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertThatThrownBy(() -> Safetensors.parse("o.safetensors", file(overlap, 8)))
                .hasMessageContaining("(overlap or gap)");
        String wrongSize = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertThatThrownBy(() -> Safetensors.parse("s.safetensors", file(wrongSize, 8)))
                .hasMessageContaining("do not hold 3 F32 values");
    }

    private static byte[] file(String json, int dataBytes) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array();
    }

    @Test
    void aFileTruncatedAtAnyByteIsRefusedWithItsName() {
        byte[] whole = sample();
        for (int cut = 0; cut < whole.length; cut++) {
            byte[] truncated = Arrays.copyOf(whole, cut);
            assertThatThrownBy(() -> Safetensors.parse("cut.safetensors", truncated)).as("cut at %d", cut)
                    .isInstanceOf(SafetensorsException.class).hasMessageContaining("cut.safetensors");
        }
    }

    @Test
    void aFlippedByteAnywhereGivesEitherAValidFileOrOneSentenceNeverAnotherException() {
        byte[] original = sample();
        Random random = new Random(13);
        int refused = 0;
        for (int i = 0; i < original.length; i++) {
            for (int trial = 0; trial < 4; trial++) {
                byte[] bytes = original.clone();
                bytes[i] ^= (byte) (1 + random.nextInt(255));
                try {
                    Safetensors.Content c = Safetensors.parse("flip.safetensors", bytes);
                    for (String name : c.names()) {
                        c.entry(name);                           // a valid file: every entry is reachable
                    }
                } catch (SafetensorsException e) {
                    refused++;
                    assertThat(e.getMessage()).contains("flip.safetensors").doesNotContain("\n");
                }
            }
        }
        assertThat(refused).as("premise: flips in the header are caught").isGreaterThan(100);
    }
}
