package dev.qvit.model.train;

import dev.qvit.model.nn.ParameterSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW (Loshchilov and Hutter 2019) as in PyTorch: decoupled weight decay p -= lr * wd * p on the decayed
 * parameters only, then the bias-corrected Adam step. Works on the flat parameter buffers with preallocated
 * moments, a handful of ND4J ops per step. Training thread only.
 */
public final class AdamW {
    private final ParameterSet params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final INDArray m;
    private final INDArray v;
    private final INDArray scratch;
    private long step;

    public AdamW(ParameterSet params, double weightDecay) {
        this(params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(ParameterSet params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = params.values().ulike().assign(0);
        this.v = params.values().ulike().assign(0);
        this.scratch = params.values().ulike();
    }

    /** One update with learning rate {@code lr} from the gradients in the parameter set. */
    public void step(double lr) {
        step++;
        INDArray p = params.values();
        INDArray g = params.grads();
        if (weightDecay > 0) {
            p.subi(p.mul(params.decayMask(), scratch).muli(lr * weightDecay));
        }
        m.muli(beta1).addi(g.mul(1 - beta1, scratch));
        v.muli(beta2).addi(g.mul(g, scratch).muli(1 - beta2));
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        Nd4j.exec(new Sqrt(v, scratch));
        scratch.divi(Math.sqrt(correction2)).addi(eps);               // sqrt(v_hat) + eps
        scratch.rdivi(m).muli(lr / correction1);                        // lr * m_hat / (sqrt(v_hat) + eps)
        p.subi(scratch);
    }

    public long stepCount() {
        return step;
    }

    /** First and second moments, for checkpoints. */
    public INDArray firstMoment() {
        return m;
    }

    public INDArray secondMoment() {
        return v;
    }

    public void restore(long stepCount) {
        this.step = stepCount;
    }
}
