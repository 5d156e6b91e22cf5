package dev.qvit.model.nn;

import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.GeluKernel;
import dev.qvit.model.nn.fused.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Reciprocal;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact GELU, x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, as PyTorch's nn.GELU(). ND4J's GELU and
 * PreciseGELU ops are the sigmoid and tanh approximations, hence an explicit erf. In float64 (gradient checks) Phi
 * comes from ND4J's erfc; in float32 from Abramowitz and Stegun 7.1.26, whose error on erf (at most 1.5e-7) is
 * below float32 resolution: ND4J's erfc costs 11-15 ms on one [3200, 256] activation, about 20 cheap passes and one
 * exp cost about 8, and that exp(-x^2/2) is the density the backward pass needs anyway. An optional clip bounds
 * the output (the quantized MLP clamps GELU to [-10, 10] before fc2, method doc section 3). In float32 one fused
 * pass each way computes the same formula ({@link GeluKernel}, exp from a polynomial); the ND4J op sequence is the
 * reference path. Training thread only.
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    /** A&S 7.1.26: erf(z) = 1 - t (a1 + t (a2 + ...)) exp(-z^2), t = 1 / (1 + p z), z >= 0; here z = |x| / sqrt 2. */
    private static final double P = 0.3275911;
    private static final double[] A = {0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429};
    private final Buffers buffers;
    private final double clip;
    private INDArray input;
    private INDArray cdf;
    private INDArray gauss;            // exp(-x^2/2) of the float32 path, null in float64
    private INDArray unclipped;
    private GeluKernel kernel;
    private boolean fused;

    public Gelu(DataType dataType) {
        this(new Buffers(dataType), Double.NaN);
    }

    /** GELU whose output is clamped to [-clip, clip] (gradient 0 where clamped); NaN for no clamp. */
    public Gelu(DataType dataType, double clip) {
        this(new Buffers(dataType), clip);
    }

    /** As above, with the buffers of the model it belongs to. */
    public Gelu(Buffers buffers, double clip) {
        this.buffers = buffers;
        this.clip = clip;
        this.kernel = buffers.dataType() == DataType.FLOAT ? Kernels.gelu(Kernels.path()) : null;
    }

    /** Runs on the given kernel path from now on (the tests compare the paths). */
    public Gelu useKernels(Kernels.Path path) {
        kernel = buffers.dataType() == DataType.FLOAT ? Kernels.gelu(path) : null;
        return this;
    }

    /** x [T, F] -> x * Phi(x). */
    public INDArray forward(INDArray x) {
        fused = kernel != null && x.dataType() == DataType.FLOAT;
        if (fused) {
            input = FloatMemory.isDense(x) ? x : buffers.get("x", x.shape()).assign(x);
            INDArray y = buffers.get(Double.isNaN(clip) ? "y" : "clipped", x.shape());
            kernel.forward(FloatMemory.of(input), FloatMemory.of(y), (int) x.length(), (float) clip);
            return y;
        }
        input = x;
        if (x.dataType() == DataType.DOUBLE) {
            cdf = x.mul(-INV_SQRT2, buffers.get("cdf", x.shape()));
            Nd4j.exec(new Erfc(cdf, cdf));                              // erfc(-x/sqrt2) = 1 + erf(x/sqrt2)
            cdf.muli(0.5);
            gauss = null;
        } else {
            cdf = approximateCdf(x);
        }
        INDArray y = x.mul(cdf, buffers.get("y", x.shape()));
        if (Double.isNaN(clip)) {
            return y;
        }
        unclipped = y;
        INDArray clipped = buffers.get("clipped", x.shape());
        Nd4j.exec(new ScalarMin(y, null, clipped, clip));
        Nd4j.exec(new ScalarMax(clipped, null, clipped, -clip));
        return clipped;
    }

    /** Phi(x) = 0.5 + sign(x) (0.5 - Q(|x|)), Q the upper tail 0.5 erfc(|x| / sqrt 2) by A&S 7.1.26. */
    private INDArray approximateCdf(INDArray x) {
        long[] shape = x.shape();
        gauss = x.mul(x, buffers.get("gauss", shape)).muli(-0.5);
        Nd4j.exec(new Exp(gauss, gauss));                               // exp(-x^2/2) = exp(-z^2)
        INDArray t = buffers.get("t", shape);
        Nd4j.exec(new Abs(x, t));
        t.muli(P * INV_SQRT2).addi(1.0);
        Nd4j.exec(new Reciprocal(t, t));
        INDArray tail = t.mul(0.5 * A[4], buffers.get("tail", shape));   // Horner, coefficients halved: Q not erfc
        for (int i = 3; i >= 0; i--) {
            tail.addi(0.5 * A[i]).muli(t);
        }
        tail.muli(gauss);
        INDArray result = buffers.get("cdf", shape);
        Nd4j.exec(new Sign(x, result));
        return result.muli(tail.rsubi(0.5)).addi(0.5);
    }

    /** dx = dy * (Phi(x) + x * phi(x)), phi the standard normal density. */
    public INDArray backward(INDArray dy) {
        INDArray d = buffers.get("dx", input.shape());
        if (fused) {
            INDArray upstream = FloatMemory.isDense(dy) ? dy : buffers.get("dy", dy.shape()).assign(dy);
            kernel.backward(FloatMemory.of(input), FloatMemory.of(upstream), FloatMemory.of(d), (int) input.length(),
                    (float) clip);
            return d;
        }
        if (gauss != null) {
            input.mul(gauss, d);
        } else {
            input.mul(-0.5, d).muli(input);                             // -x^2/2
            Nd4j.exec(new Exp(d, d));
            d.muli(input);
        }
        d.muli(INV_SQRT_2PI).addi(cdf);
        d.muli(dy);
        if (!Double.isNaN(clip)) {
            INDArray inside = buffers.get("inside", input.shape());                // 1 where |y| <= clip
            Nd4j.exec(new Abs(unclipped, inside));
            Nd4j.exec(new Step(inside, inside, clip));                           // 1 where |y| > clip
            inside.rsubi(1.0);
            d.muli(inside);
        }
        return d;
    }
}
