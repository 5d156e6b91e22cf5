package dev.qvit.model.quant;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * IRM in the paper's form (method doc 4): per head h, q~ = gamma_h (q - mu_h) / sqrt(sigma_h^2 + eps) + beta_h
 * with mu_h, sigma_h^2 the mean and (biased) variance of that head's values over images, tokens and channels;
 * batch statistics in training, running averages (momentum 0.1) in evaluation, like batch normalisation over
 * the head axis. Set gamma/beta and the running statistics to the teacher's sigma_h / mu_h to start as the
 * identity. The running statistics are stored as gradient-free parameters so that replicas share them and
 * checkpoints keep them. Training thread only.
 */
public final class DistributionRectification implements InformationRectification {
    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;
    private static final int[] REDUCED = {0, 2, 3};
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;   // statistics, not learned: zero gradient, no decay, in checkpoints
    private final Parameter runningVar;
    private boolean updatesRunningStatistics = true;
    private final Buffers buffers;
    private INDArray normalized;
    private INDArray invStd;

    public DistributionRectification(ParameterSet params, String name, int heads) {
        this.gamma = params.declare(name + ".weight", false, heads);
        this.beta = params.declare(name + ".bias", false, heads);
        this.buffers = new Buffers(params.dataType());
        this.runningMean = params.declare(name + ".running_mean", false, heads);
        this.runningVar = params.declare(name + ".running_var", false, heads);
    }

    /** Replicas share the running statistics; only one of them (the first worker) updates them. */
    public void setUpdatesRunningStatistics(boolean updates) {
        this.updatesRunningStatistics = updates;
    }

    /** Starts as the identity on data with per-head mean {@code mu} and standard deviation {@code sigma}. */
    public void initIdentity(double[] mu, double[] sigma) {
        INDArray m = Nd4j.createFromArray(mu).castTo(gamma.value().dataType());
        INDArray s = Nd4j.createFromArray(sigma).castTo(gamma.value().dataType());
        gamma.value().assign(s);
        beta.value().assign(m);
        runningMean.value().assign(m);
        runningVar.value().assign(s.mul(s).subi(EPS));
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        int heads = (int) x.size(1);
        INDArray mean = buffers.get("mean", heads);
        invStd = buffers.get("invStd", heads);
        if (training) {
            Nd4j.exec(new Mean(x, mean, REDUCED));
            Nd4j.exec(new Variance(x, invStd, false, REDUCED));
            if (updatesRunningStatistics) {
                runningMean.value().muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
                runningVar.value().muli(1 - MOMENTUM).addi(invStd.mul(MOMENTUM));
            }
        } else {
            mean.assign(runningMean.value());
            invStd.assign(runningVar.value());
        }
        Nd4j.exec(new RSqrt(invStd.addi(EPS), invStd));                                  // 1/sqrt(var+eps)
        normalized = buffers.get("xhat", x.shape());
        x.sub(perHead(mean), normalized);
        normalized.mul(perHead(invStd), normalized);
        INDArray y = normalized.mul(perHead(gamma.value()), buffers.get("y", x.shape()));
        y.add(perHead(beta.value()), y);
        return y;
    }

    /** Batch-norm backward over (B, N, d) per head: dx = invStd (g - mean g - xhat mean(g xhat)), g = dy gamma. */
    @Override
    public INDArray backward(INDArray dy) {
        long m = dy.length() / dy.size(1);
        INDArray tmp = dy.mul(normalized, buffers.get("tmp", dy.shape()));
        Nd4j.exec(new Sum(tmp, gamma.grad(), REDUCED));
        Nd4j.exec(new Sum(dy, beta.grad(), REDUCED));
        INDArray dx = buffers.get("dx", dy.shape());
        // mean(g) = gamma * dbeta / m; mean(g xhat) = gamma * dgamma / m
        INDArray meanG = beta.grad().mul(gamma.value(), buffers.get("meanG", dy.size(1))).divi(m);
        INDArray meanGx = gamma.grad().mul(gamma.value(), buffers.get("meanGx", dy.size(1))).divi(m);
        normalized.mul(perHead(meanGx), dx);                                             // xhat mean(g xhat)
        dy.mul(perHead(gamma.value()), tmp);                                             // g
        dx.rsubi(tmp);
        dx.sub(perHead(meanG), dx);
        return dx.mul(perHead(invStd), dx);
    }

    /** [H] -> [1, H, 1, 1], to broadcast over [B, H, N, d]. */
    private static INDArray perHead(INDArray v) {
        return v.reshape(1, v.length(), 1, 1);
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public INDArray runningMean() {
        return runningMean.value();
    }

    public INDArray runningVariance() {
        return runningVar.value();
    }
}
