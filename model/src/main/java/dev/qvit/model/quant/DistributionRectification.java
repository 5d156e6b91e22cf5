package dev.qvit.model.quant;

import dev.qvit.model.nn.BatchReduction;
import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import dev.qvit.model.nn.fused.RectificationKernel;
import org.nd4j.linalg.api.buffer.DataType;
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
 * checkpoints keep them.
 * <p>
 * "Over the batch" means the whole batch, however it is split across data-parallel slices: the slices' sums
 * and sums of squares are added through a {@link BatchReduction} before the mean and variance are formed, and
 * the backward pass adds their gradient sums the same way (a synchronised batch norm). The running averages
 * take the batch statistics only when {@link #updateRunningStatistics()} is called, once per optimiser step, so
 * that a step abandoned by a pause and run again counts once. In float32 the passes are fused
 * ({@link RectificationKernel}); the ND4J op sequence is the reference path. Training thread only.
 */
public final class DistributionRectification implements InformationRectification {
    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;
    private static final int[] REDUCED = {0, 2, 3};
    private final int heads;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;   // statistics, not learned: zero gradient, no decay, in checkpoints
    private final Parameter runningVar;
    private final Buffers buffers;
    private BatchReduction reduction = BatchReduction.WHOLE_BATCH;
    private final double[] batchMean;
    private final double[] batchVariance;
    private boolean batchStatisticsPending;
    private double sliceShare;             // this slice's share of the batch's elements, of the last training pass
    private INDArray normalized;
    private INDArray invStd;
    private RectificationKernel kernel;
    private boolean fused;
    private final float[] shiftValues;     // the fused path's per-head scalars
    private final float[] meanValues;
    private final float[] invStdValues;
    private final float[] gammaValues;
    private final float[] betaValues;
    private final float[] meanG;
    private final float[] meanGx;
    private final double[] sum;
    private final double[] sumOfSquares;
    private final double[] sliceBetaGrad;
    private final double[] shift;
    private final double[] sliceGammaGrad;

    public DistributionRectification(ParameterSet params, String name, int heads) {
        this.heads = heads;
        this.gamma = params.declare(name + ".weight", false, heads);
        this.beta = params.declare(name + ".bias", false, heads);
        this.buffers = params.buffers();
        this.runningMean = params.declare(name + ".running_mean", false, heads);
        this.runningVar = params.declare(name + ".running_var", false, heads);
        this.batchMean = new double[heads];
        this.batchVariance = new double[heads];
        this.shiftValues = new float[heads];
        this.meanValues = new float[heads];
        this.invStdValues = new float[heads];
        this.gammaValues = new float[heads];
        this.betaValues = new float[heads];
        this.meanG = new float[heads];
        this.meanGx = new float[heads];
        this.sum = new double[heads];
        this.sumOfSquares = new double[heads];
        this.sliceBetaGrad = new double[heads];
        this.shift = new double[heads];
        this.sliceGammaGrad = new double[heads];
        useKernels(Kernels.path());
    }

    /** Runs on the given kernel path from now on (the tests compare the paths). */
    public DistributionRectification useKernels(Kernels.Path path) {
        kernel = buffers.dataType() == DataType.FLOAT ? Kernels.rectification(path) : null;
        return this;
    }

    /** How this replica's slice statistics are summed with the other slices' (default: it sees the whole batch). */
    @Override
    public void synchronize(BatchReduction batchReduction) {
        this.reduction = batchReduction;
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

    /**
     * Takes per-head {@code mean} and biased {@code variance} as the statistics evaluation normalises with (after
     * post-training calibration: those of the student's own q or k on the calibration batch, so that evaluation
     * computes what the calibration pass did).
     */
    public void useStatistics(double[] mean, double[] variance) {
        runningMean.value().assign(Nd4j.createFromArray(mean).castTo(runningMean.value().dataType()));
        runningVar.value().assign(Nd4j.createFromArray(variance).castTo(runningVar.value().dataType()));
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        fused = kernel != null && x.dataType() == DataType.FLOAT && x.rank() == 4;
        if (fused) {
            return fusedForward(x, training);
        }
        INDArray mean = buffers.get("mean", heads);
        invStd = buffers.get("invStd", heads);
        if (training) {
            batchStatistics(x, mean, invStd);
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

    /**
     * Per-head mean and biased variance over the whole batch into {@code mean} and {@code variance}: each slice
     * sends its element count, sum and sum of squares, both taken about the running mean c (which every slice
     * knows and which is close to the batch mean, so the difference of squares loses little precision).
     */
    private void batchStatistics(INDArray x, INDArray mean, INDArray variance) {
        Nd4j.exec(new Mean(x, mean, REDUCED));                                            // this slice's, [H]
        Nd4j.exec(new Variance(x, variance, false, REDUCED));
        double m = x.length() / (double) heads;
        double[] sliceMean = mean.toDoubleVector();
        double[] sliceVariance = variance.toDoubleVector();
        double[] runningShift = runningMean.value().toDoubleVector();
        for (int h = 0; h < heads; h++) {
            double d = sliceMean[h] - runningShift[h];
            sum[h] = m * d;                                                               // sum (x - c)
            sumOfSquares[h] = m * (sliceVariance[h] + d * d);                             // sum (x - c)^2
        }
        combineSlices(m, runningShift);
        mean.assign(Nd4j.createFromArray(batchMean));
        variance.assign(Nd4j.createFromArray(batchVariance));
    }

    /**
     * This slice's element count per head m and its sums about c, {@code sum} and {@code sumOfSquares}, added to
     * the other slices' -> the whole batch's mean and variance in {@code batchMean} and {@code batchVariance}.
     */
    private void combineSlices(double m, double[] about) {
        double[] partial = new double[1 + 2 * heads];
        partial[0] = m;
        System.arraycopy(sum, 0, partial, 1, heads);
        System.arraycopy(sumOfSquares, 0, partial, 1 + heads, heads);
        double[] total = reduction.sum(partial);
        double count = total[0];
        sliceShare = m / count;
        for (int h = 0; h < heads; h++) {
            double d = total[1 + h] / count;
            batchMean[h] = about[h] + d;
            batchVariance[h] = Math.max(0, total[1 + heads + h] / count - d * d);
        }
        batchStatisticsPending = true;
    }

    /** The forward pass in two fused passes: the moments about the running mean, then xhat and y. */
    private INDArray fusedForward(INDArray x, boolean training) {
        long[] shape = x.shape();                                                         // [B, H, N, d]
        int images = (int) shape[0];
        int block = (int) (shape[2] * shape[3]);
        INDArray input = FloatMemory.isDense(x) ? x : buffers.get("x", shape).assign(x);
        FloatMemory.of(gamma.value()).copyTo(gammaValues);
        FloatMemory.of(beta.value()).copyTo(betaValues);
        if (training) {
            FloatMemory.of(runningMean.value()).copyTo(shiftValues);
            kernel.moments(FloatMemory.of(input), images, heads, block, shiftValues, sum, sumOfSquares);
            for (int h = 0; h < heads; h++) {
                shift[h] = shiftValues[h];
            }
            combineSlices((double) images * block, shift);
            for (int h = 0; h < heads; h++) {
                meanValues[h] = (float) batchMean[h];
                invStdValues[h] = (float) batchVariance[h];
            }
        } else {
            FloatMemory.of(runningMean.value()).copyTo(meanValues);
            FloatMemory.of(runningVar.value()).copyTo(invStdValues);
        }
        for (int h = 0; h < heads; h++) {
            invStdValues[h] = 1f / (float) Math.sqrt(invStdValues[h] + (float) EPS);
        }
        normalized = buffers.get("xhat", shape);
        INDArray y = buffers.get("y", shape);
        kernel.forward(FloatMemory.of(input), images, heads, block, meanValues, invStdValues, gammaValues,
                betaValues, FloatMemory.of(normalized), FloatMemory.of(y));
        return y;
    }

    /** Takes the statistics of the last training batch into the running averages; once per optimiser step. */
    @Override
    public void updateRunningStatistics() {
        if (!batchStatisticsPending) {
            return;
        }
        INDArray mean = buffers.get("mean", heads).assign(Nd4j.createFromArray(batchMean));
        INDArray variance = buffers.get("variance", heads).assign(Nd4j.createFromArray(batchVariance));
        runningMean.value().muli(1 - MOMENTUM).addi(mean.muli(MOMENTUM));
        runningVar.value().muli(1 - MOMENTUM).addi(variance.muli(MOMENTUM));
        batchStatisticsPending = false;
    }

    /**
     * Batch-norm backward over (B, N, d) per head: dx = invStd (g - mean g - xhat mean(g xhat)), g = dy gamma, the
     * means over the whole batch. This slice's dy is the gradient of its own mean loss, a share w of the batch's:
     * the batch's sums are sum_slices w * (sum dy, sum dy xhat), which are dL/dbeta and dL/dgamma, and divided by
     * the whole batch's element count they are this slice's sums divided by its own count m (w = m / M).
     */
    @Override
    public INDArray backward(INDArray dy) {
        if (fused) {
            return fusedBackward(dy);
        }
        long m = dy.length() / heads;
        INDArray tmp = dy.mul(normalized, buffers.get("tmp", dy.shape()));
        Nd4j.exec(new Sum(tmp, gamma.grad(), REDUCED));
        Nd4j.exec(new Sum(dy, beta.grad(), REDUCED));
        sumOverSlices(beta.grad().toDoubleVector(), gamma.grad().toDoubleVector());
        INDArray dx = buffers.get("dx", dy.shape());
        // mean(g) = gamma * dbeta / m; mean(g xhat) = gamma * dgamma / m
        INDArray meanG = beta.grad().mul(gamma.value(), buffers.get("meanG", heads)).divi(m);
        INDArray meanGx = gamma.grad().mul(gamma.value(), buffers.get("meanGx", heads)).divi(m);
        normalized.mul(perHead(meanGx), dx);                                             // xhat mean(g xhat)
        dy.mul(perHead(gamma.value()), tmp);                                             // g
        dx.rsubi(tmp);
        dx.sub(perHead(meanG), dx);
        return dx.mul(perHead(invStd), dx);
    }

    /** The backward pass in two fused passes: this slice's sums of dy and dy xhat, then dx. */
    private INDArray fusedBackward(INDArray dy) {
        long[] shape = dy.shape();
        int images = (int) shape[0];
        int block = (int) (shape[2] * shape[3]);
        INDArray upstream = FloatMemory.isDense(dy) ? dy : buffers.get("dy", shape).assign(dy);
        kernel.sums(FloatMemory.of(upstream), FloatMemory.of(normalized), images, heads, block, sliceBetaGrad,
                sliceGammaGrad);
        sumOverSlices(sliceBetaGrad, sliceGammaGrad);
        FloatMemory.of(beta.grad()).copyTo(meanG);                                       // the batch's dbeta
        FloatMemory.of(gamma.grad()).copyTo(meanGx);                                     // and dgamma
        float m = (float) images * block;
        for (int h = 0; h < heads; h++) {
            meanG[h] = meanG[h] * gammaValues[h] / m;                                    // mean(g)
            meanGx[h] = meanGx[h] * gammaValues[h] / m;                                  // mean(g xhat)
        }
        INDArray dx = buffers.get("dx", shape);
        kernel.backward(FloatMemory.of(upstream), FloatMemory.of(normalized), images, heads, block, gammaValues,
                meanG, meanGx, invStdValues, FloatMemory.of(dx));
        return dx;
    }

    /**
     * This slice's gamma/beta gradients -> the batch's (every slice holds them; the weighted mean keeps them).
     */
    private void sumOverSlices(double[] dBeta, double[] dGamma) {
        double[] partial = new double[2 * heads];
        for (int h = 0; h < heads; h++) {
            partial[h] = sliceShare * dBeta[h];
            partial[heads + h] = sliceShare * dGamma[h];
        }
        double[] total = reduction.sum(partial);
        beta.grad().assign(Nd4j.createFromArray(java.util.Arrays.copyOfRange(total, 0, heads)));
        gamma.grad().assign(Nd4j.createFromArray(java.util.Arrays.copyOfRange(total, heads, 2 * heads)));
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
