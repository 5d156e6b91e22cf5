package dev.qvit.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BundledSubsetTest {

    @Test
    void bundledSubsetIsAStratifiedTenPercentOfFashionMnist() {
        FashionMnist.Splits splits = FashionMnist.bundled();
        assertThat(splits.train().count()).isEqualTo(6000);
        assertThat(splits.test().count()).isEqualTo(1000);
        int[] perClass = new int[10];
        for (int i = 0; i < splits.train().count(); i++) {
            perClass[splits.train().label(i)]++;
        }
        assertThat(perClass).containsOnly(600);
        assertThat(splits.train().rows()).isEqualTo(28);
    }

    @Test
    void imagesAreRealClothingNotNoise() {
        // Fashion-MNIST images have a dark background: corners are almost always 0
        ImageDataset test = FashionMnist.bundled().test();
        int darkCorners = 0;
        for (int i = 0; i < test.count(); i++) {
            if (test.pixel(i, 0, 0) == 0 && test.pixel(i, 27, 27) == 0) {
                darkCorners++;
            }
        }
        assertThat(darkCorners).isGreaterThan(900);
    }
}
