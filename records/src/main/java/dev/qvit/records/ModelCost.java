package dev.qvit.records;

/**
 * What a configuration costs as stored and as computed, for one image.
 *
 * @param weightBits     every parameter at the bits it is stored with
 * @param activationBits every activation that enters a matrix product, at the bits it enters with
 * @param bops           bit operations of the matrix products: multiply-adds x weight bits x activation bits
 */
public record ModelCost(double weightBits, double activationBits, double bops) {

    public double weightMegabytes() {
        return weightBits / 8 / 1e6;
    }

    public double activationKilobytes() {
        return activationBits / 8 / 1e3;
    }
}
