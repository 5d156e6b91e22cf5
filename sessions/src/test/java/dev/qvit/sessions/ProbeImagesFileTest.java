package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.records.ProbeImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grey and RGB probe images come back from their file as written; an RGB file is [images, 3, rows, cols]. */
class ProbeImagesFileTest {
    @Test
    void greyAndRgbImagesRoundTrip(@TempDir Path dir) throws Exception {
        byte[] rgb = new byte[2 * 3 * 4 * 5];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        ProbeImages colour = new ProbeImages(2, 3, 4, 5, rgb, new int[] {1, -1}, List.of("ants", "bees"));
        Path a = java.nio.file.Files.createDirectory(dir.resolve("rgb"));
        ProbeImagesFile.write(a, colour);
        ProbeImages back = ProbeImagesFile.read(a);
        assertThat(back.channels()).isEqualTo(3);
        assertThat(back.pixels()).isEqualTo(rgb);
        assertThat(back.labels()).containsExactly(1, -1);
        assertThat(back.caption(1)).isEqualTo("#1");
        assertThat(back.rgb(1, 2, 3)).isEqualTo(colour.rgb(1, 2, 3));
        assertThat(dev.qvit.model.io.Safetensors.read(a.resolve(ProbeImagesFile.FILE)).entry("pixels").shape())
                .containsExactly(2, 3, 4, 5);

        ProbeImages grey = new ProbeImages(1, 2, 2, new byte[] {0, 10, 20, (byte) 250}, new int[] {0}, List.of("x"));
        Path b = java.nio.file.Files.createDirectory(dir.resolve("grey"));
        ProbeImagesFile.write(b, grey);
        ProbeImages greyBack = ProbeImagesFile.read(b);
        assertThat(greyBack.channels()).isEqualTo(1);
        assertThat(greyBack.pixel(0, 1, 1)).isEqualTo(250);
        assertThat(greyBack.rgb(0, 1, 1)).isEqualTo(250 << 16 | 250 << 8 | 250);
    }
}
