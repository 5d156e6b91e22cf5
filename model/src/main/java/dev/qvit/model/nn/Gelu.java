package dev.qvit.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact GELU, x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, as PyTorch's nn.GELU(). ND4J's GELU and
 * PreciseGELU ops are the sigmoid and tanh approximations, hence the explicit erf. An optional clip bounds the
 * output (the quantized MLP clamps GELU to [-10, 10] before fc2, method doc section 3). Training thread only.
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private final Buffers buffers;
    private final double clip;
    private INDArray input;
    private INDArray cdf;
    private INDArray unclipped;

    public Gelu(DataType dataType) {
        this(dataType, Double.NaN);
    }

    /** GELU whose output is clamped to [-clip, clip] (gradient 0 where clamped); NaN for no clamp. */
    public Gelu(DataType dataType, double clip) {
        this.buffers = new Buffers(dataType);
        this.clip = clip;
    }

    /** x [T, F] -> x * Phi(x). */
    public INDArray forward(INDArray x) {
        input = x;
        cdf = x.mul(-INV_SQRT2, buffers.get("cdf", x.shape()));
        Nd4j.exec(new Erfc(cdf, cdf));                                  // erfc(-x/sqrt2) = 1 + erf(x/sqrt2)
        cdf.muli(0.5);
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

    /** dx = dy * (Phi(x) + x * phi(x)), phi the standard normal density. */
    public INDArray backward(INDArray dy) {
        INDArray d = input.mul(-0.5, buffers.get("dx", input.shape()));
        d.muli(input);                                                  // -x^2/2
        Nd4j.exec(new Exp(d, d));
        d.muli(INV_SQRT_2PI).muli(input).addi(cdf);
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
