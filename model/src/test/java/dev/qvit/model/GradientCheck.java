package dev.qvit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.train.ParallelWorkers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central-difference gradient checks in double precision.
 *
 * <p>For a scalar objective {@code L} and a variable {@code v}, each checked element {@code i} is perturbed in
 * place, {@code n_i = (L+ - L-) / 2h} with {@code L+- = L(v_i +- h)} and {@code h = 1e-6}, and compared with the
 * analytic value {@code a_i} through a floored relative error; every checked element must satisfy
 *
 * <pre>
 *   err_i = |a_i - n_i| / max(|a_i| + |n_i|,  1e-3 * max_j |n_j|,  noise_i / TOLERANCE)  &lt;  TOLERANCE = 1e-6
 *   noise_i = 32 * (ulp(L+) + ulp(L-)) / 2h
 * </pre>
 *
 * Why this criterion:
 * <ul>
 *   <li>In float64 the truncation error of a central difference, O(h^2 L'''), is ~1e-12, far below the bound, so
 *       for ordinary elements this is a plain relative error of 1e-6. A correct backward pass gives 1e-10 to 1e-7
 *       here; real bugs (a wrong factor, a missing term, a transposed index) give 1e-3 and up.</li>
 *   <li>The rounding error of {@code n_i} does not shrink with the gradient: it is a few ulps of {@code L} divided
 *       by 2h (4e-10 for L ~ 1 observed). Where the true gradient is zero or tiny (e.g. the key part of a qkv
 *       bias, to which softmax is invariant) a relative error is pure noise, so the denominator never drops below
 *       {@code noise_i / TOLERANCE}: such elements must agree to within 32 ulps of L per 2h (7e-9 for L ~ 1),
 *       some 8x more than the worst rounding seen.</li>
 *   <li>The {@code 1e-3 * max|n|} term likewise holds elements a thousand times smaller than the tensor's largest
 *       gradient to an absolute error of {@code 1e-9 * max|n|} instead of a relative one.</li>
 * </ul>
 */
public final class GradientCheck {
    /** Finite-difference step, suited to float64 and O(1) inputs. */
    public static final double STEP = 1e-6;
    /** Bound on the floored relative error of every checked element. */
    public static final double TOLERANCE = 1e-6;
    /** Rounding noise allowed on each loss evaluation, in ulps of the loss (see the class comment). */
    public static final double NOISE_ULPS = 32;
    /** Relative size below which an element is compared with the tensor's largest gradient instead of itself. */
    public static final double SCALE_FLOOR = 1e-3;
    /** {@code maxSamples} value that checks every element. */
    public static final int ALL = Integer.MAX_VALUE;

    static {
        // Tensors of a few dozen elements gain nothing from OpenMP/OpenBLAS threads, and spinning kernel threads
        // slow every op down by 10x and more when the machine is busy (e.g. a training run alongside).
        ParallelWorkers.useSingleThreadedKernels();
    }

    private GradientCheck() {
    }

    /** The outcome of one check: how many elements, the worst error and where it occurred. */
    public record Result(String name, int checked, double worstError, long worstIndex, double analytic,
                         double numeric, double scale) {

        /** Asserts {@code worstError < tolerance}, with a message naming the worst element. */
        public Result assertBelow(double tolerance) {
            if (Boolean.getBoolean("gradcheck.verbose")) {
                System.out.printf("[gradcheck] %-28s %4d checked  worst err %.2e  (a %.6g, n %.6g, scale %.3g)%n",
                        name, checked, worstError, analytic, numeric, scale);
            }
            assertThat(checked).as("%s: number of checked elements", name).isPositive();
            assertThat(worstError)
                    .as("%s: worst relative error at flat index %d (analytic %.12g, numeric %.12g, scale %.3g, %d checked)",
                            name, worstIndex, analytic, numeric, scale, checked)
                    .isLessThan(tolerance);
            return this;
        }
    }

    /**
     * Compares {@code analytic} (same shape as {@code variable}; pass a copy, not a reused layer buffer) with
     * central differences of {@code loss} with respect to {@code variable}, which is perturbed in place and
     * restored afterwards. Checks all elements when {@code variable} has at most {@code maxSamples} of them,
     * otherwise {@code maxSamples} distinct elements drawn from {@code random}.
     */
    public static Result check(String name, INDArray variable, INDArray analytic, DoubleSupplier loss,
                               int maxSamples, Random random) {
        assertThat(variable.dataType()).as("%s: gradient checks need float64", name).isEqualTo(DataType.DOUBLE);
        assertThat(analytic.shape()).as("%s: gradient shape", name).isEqualTo(variable.shape());
        INDArray a = analytic.dup('c').reshape(variable.length());
        List<Long> indices = sample(variable.length(), maxSamples, random);
        double[] numeric = new double[indices.size()];
        double[] noise = new double[indices.size()];
        double scale = 0;
        for (int k = 0; k < indices.size(); k++) {
            double[] plusMinus = perturbed(variable, indices.get(k), loss);
            numeric[k] = (plusMinus[0] - plusMinus[1]) / (2 * STEP);
            noise[k] = NOISE_ULPS * (Math.ulp(plusMinus[0]) + Math.ulp(plusMinus[1])) / (2 * STEP);
            scale = Math.max(scale, Math.abs(numeric[k]));
        }
        double worst = -1;
        int worstK = 0;
        for (int k = 0; k < indices.size(); k++) {
            double ak = a.getDouble(indices.get(k));
            double floor = Math.max(SCALE_FLOOR * scale, noise[k] / TOLERANCE);
            double err = Math.abs(ak - numeric[k]) / Math.max(Math.abs(ak) + Math.abs(numeric[k]), floor);
            if (!(err <= worst)) {           // also catches NaN
                worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                worstK = k;
            }
        }
        long worstIndex = indices.isEmpty() ? -1 : indices.get(worstK);
        return new Result(name, indices.size(), worst, worstIndex,
                indices.isEmpty() ? Double.NaN : a.getDouble(worstIndex),
                indices.isEmpty() ? Double.NaN : numeric[worstK], scale);
    }

    /** Checks a parameter's current {@code grad()} (copied first) against differences of {@code loss}. */
    public static Result check(Parameter p, DoubleSupplier loss, int maxSamples, Random random) {
        return check(p.name(), p.value(), p.grad().dup(), loss, maxSamples, random);
    }

    /** (L(v_i + h) - L(v_i - h)) / 2h, restoring v_i exactly. */
    public static double centralDifference(INDArray variable, long i, DoubleSupplier loss) {
        double[] plusMinus = perturbed(variable, i, loss);
        return (plusMinus[0] - plusMinus[1]) / (2 * STEP);
    }

    /** {L(v_i + h), L(v_i - h)}, restoring v_i exactly. */
    private static double[] perturbed(INDArray variable, long i, DoubleSupplier loss) {
        double original = variable.getDouble(i);
        variable.putScalar(i, original + STEP);
        double plus = loss.getAsDouble();
        variable.putScalar(i, original - STEP);
        double minus = loss.getAsDouble();
        variable.putScalar(i, original);
        return new double[] {plus, minus};
    }

    /** sum(y * r): a scalar objective whose gradient with respect to y is r. */
    public static double weightedSum(INDArray y, INDArray r) {
        return y.mul(r).sumNumber().doubleValue();
    }

    /** A float64 array of the given shape filled with N(mean, std^2) values from {@code random}. */
    public static INDArray gaussian(Random random, double mean, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + std * random.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape('c', shape);
    }

    /** A float64 array of N(0, 1) values. */
    public static INDArray gaussian(Random random, long... shape) {
        return gaussian(random, 0, 1, shape);
    }

    /** Overwrites {@code target} in place with N(mean, std^2) values. */
    public static void fillGaussian(INDArray target, Random random, double mean, double std) {
        target.assign(gaussian(random, mean, std, target.shape()));
    }

    /**
     * Adds N(0, std^2) noise to every parameter of {@code params}, so that LayerNorm gains move away from 1,
     * biases, LayerNorm shifts, cls and pos away from 0, and all their gradient paths are exercised.
     */
    public static void perturbAll(ParameterSet params, Random random, double std) {
        for (Parameter p : params.parameters()) {
            p.value().addi(gaussian(random, 0, std, p.value().shape()));
        }
    }

    private static List<Long> sample(long length, int maxSamples, Random random) {
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < length; i++) {
            all.add(i);
        }
        if (length <= maxSamples) {
            return all;
        }
        Collections.shuffle(all, random);
        List<Long> picked = new ArrayList<>(all.subList(0, maxSamples));
        Collections.sort(picked);
        return picked;
    }

    /**
     * Every element within {@code relative} of the largest expected magnitude: a fused kernel against its reference
     * path, another summation order of the same formula.
     */
    public static void assertCloseToLargest(float[] actual, float[] expected, float relative) {
        float largest = 1e-6f;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(relative * largest));
        }
    }
}
