package dev.qvit.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final float[] IMAGE = {
        1, 2, 3,
        4, 5, 6,
        7, 8, 9};

    @Test
    void shiftMovesContentAndFillsWithZero() {
        float[] out = new float[9];
        Augmentation.shiftAndFlip(IMAGE, 0, out, 0, 3, 3, 1, 0, false);
        assertThat(out).containsExactly(4, 5, 6, 7, 8, 9, 0, 0, 0);
    }

    @Test
    void flipMirrorsColumns() {
        float[] out = new float[9];
        Augmentation.shiftAndFlip(IMAGE, 0, out, 0, 3, 3, 0, 0, true);
        assertThat(out).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7);
    }

    @Test
    void sameSeedGivesSameAugmentation() {
        float[] a = new float[9];
        float[] b = new float[9];
        Augmentation first = new Augmentation(7);
        Augmentation second = new Augmentation(7);
        int changed = 0;
        for (int i = 0; i < 20; i++) {
            first.apply(IMAGE, 0, a, 0, 3, 3);
            second.apply(IMAGE, 0, b, 0, 3, 3);
            assertThat(a).containsExactly(b);
            changed += java.util.Arrays.equals(a, IMAGE) ? 0 : 1;
        }
        // and it does augment: an augmentation that did nothing would pass the comparison above
        assertThat(changed).isPositive();
    }

    @Test
    void shiftsStayWithinThePadding() {
        Augmentation aug = new Augmentation(3);
        float[] big = new float[28 * 28];
        java.util.Arrays.fill(big, 1f);
        float[] out = new float[28 * 28];
        int most = 0;
        for (int i = 0; i < 200; i++) {
            aug.apply(big, 0, out, 0, 28, 28);
            int zeros = 0;
            for (float v : out) {
                zeros += v == 0 ? 1 : 0;
            }
            most = Math.max(most, zeros);
        }
        // at most 2 rows and 2 columns are shifted in, and in some of the 200 draws exactly that many:
        // 2 * 28 + 2 * 28 - 2 * 2 zero pixels
        assertThat(most).isEqualTo(108);
    }
}
