package dev.qvit.model.nn;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameter initialisers drawn from a seeded {@link Random}, so a seed gives the same model on every machine
 * (method doc section 1: trunc-normal 0.02 for linear weights, cls and pos; PyTorch default for the patch conv).
 */
public final class Init {
    private Init() {
    }

    /** Normal(0, std) resampled outside +-2 std, as timm's trunc_normal_. */
    public static void truncatedNormal(INDArray target, double std, Random random) {
        double[] v = new double[(int) target.length()];
        for (int i = 0; i < v.length; i++) {
            double g;
            do {
                g = random.nextGaussian();
            } while (Math.abs(g) > 2.0);
            v[i] = g * std;
        }
        assign(target, v);
    }

    /** Uniform(-bound, bound). */
    public static void uniform(INDArray target, double bound, Random random) {
        double[] v = new double[(int) target.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * random.nextDouble() - 1) * bound;
        }
        assign(target, v);
    }

    private static void assign(INDArray target, double[] values) {
        target.assign(Nd4j.createFromArray(values).castTo(target.dataType()).reshape(target.shape()));
    }
}
