package dev.qvit.model;

import static dev.qvit.model.GradientCheck.ALL;
import static dev.qvit.model.GradientCheck.TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer y = f(x; theta) set up for {@link GradientCheck}, the set-up every layer gradient test shares: a forward
 * pass on x, an upstream gradient R of y's shape drawn N(0, 1) from the test's random source, and one backward pass
 * with dL/dy = R. Its input gradient (a copy) and the parameter gradients it left in {@code grad()} are then compared
 * with central differences of the objective
 *
 * <pre>
 *   L(x, theta) = sum(f(x; theta) * R),  so that dL/dy = R.
 * </pre>
 *
 * Float64 only (the check refuses anything else). Training thread of the test.
 */
public final class LayerGradients {
    private final Random random;
    private final INDArray x;
    private final UnaryOperator<INDArray> forward;
    private final INDArray r;
    private final INDArray dx;   // null when backward sets the parameter gradients only

    private LayerGradients(Random random, INDArray x, UnaryOperator<INDArray> forward, INDArray r, INDArray dx) {
        this.random = random;
        this.x = x;
        this.forward = forward;
        this.r = r;
        this.dx = dx;
    }

    /** Runs forward(x), draws R, runs backward(R) and keeps a copy of the returned dL/dx. */
    public static LayerGradients of(Random random, INDArray x, UnaryOperator<INDArray> forward,
                                    UnaryOperator<INDArray> backward) {
        INDArray r = GradientCheck.gaussian(random, forward.apply(x).shape());
        return new LayerGradients(random, x, forward, r, backward.apply(r).dup());
    }

    /** As {@link #of} for a layer whose backward sets parameter gradients only (the first layer of a model). */
    public static LayerGradients parametersOnly(Random random, INDArray x, UnaryOperator<INDArray> forward,
                                                Consumer<INDArray> backward) {
        INDArray r = GradientCheck.gaussian(random, forward.apply(x).shape());
        backward.accept(r);
        return new LayerGradients(random, x, forward, r, null);
    }

    /** L = sum(f(x) * R) at the current x and parameters. */
    public double loss() {
        return GradientCheck.weightedSum(forward.apply(x), r);
    }

    /** The input x, which the checks perturb in place and restore. */
    public INDArray input() {
        return x;
    }

    /** The upstream gradient R = dL/dy. */
    public INDArray upstream() {
        return r;
    }

    /** The backward pass's dL/dx against central differences in every element of x. */
    public GradientCheck.Result checkInput(String name) {
        assertThat(dx).as("%s: this layer's backward returns no input gradient", name).isNotNull();
        return GradientCheck.check(name, x, dx, this::loss, ALL, random);
    }

    /** A parameter's current grad() against central differences, in at most {@code maxSamples} elements. */
    public GradientCheck.Result checkParameter(Parameter p, int maxSamples) {
        return GradientCheck.check(p, this::loss, maxSamples, random);
    }

    /**
     * Asserts that {@code params} holds exactly the parameters {@code names}, in order (so none escapes the check),
     * and that each one's gradient matches within {@link GradientCheck#TOLERANCE}.
     */
    public void assertEveryParameterGradient(ParameterSet params, int maxSamples, String... names) {
        assertThat(params.parameters()).extracting(Parameter::name).containsExactly(names);
        for (Parameter p : params.parameters()) {
            checkParameter(p, maxSamples).assertBelow(TOLERANCE);
        }
    }
}
