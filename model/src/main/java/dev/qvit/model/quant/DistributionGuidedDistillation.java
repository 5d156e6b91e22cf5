package dev.qvit.model.quant;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.Tensors;
import dev.qvit.model.nn.fused.DistillationKernel;
import dev.qvit.model.nn.fused.FloatMemory;
import dev.qvit.model.nn.fused.Kernels;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm2;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Distribution-Guided Distillation (Q-ViT section 3.3, method doc 5) for one tensor (q or k) of one layer:
 * G = q q^T / ||q q^T||_F per image and head (N x N token similarities), loss = mean over images of
 * sum over heads of ||G_teacher - G_student||_F (Frobenius, not squared; eps 1e-12 in the denominator).
 * The {@code LAYER} normalisation follows BiBERT: q q^T / sqrt(d) divided by one norm over the whole
 * [B, H, N, N] tensor, loss = ||G_teacher - G_student||_F of the layer. In float32 the per-head form runs fused
 * per image and head ({@link DistillationKernel}); ND4J's batched ops are the reference path. Training thread only.
 */
public final class DistributionGuidedDistillation {
    private static final double EPS = 1e-12;
    private final Norm norm;
    private final Buffers buffers;
    private Kernels.Path path = Kernels.path();
    private DistillationKernel kernel;       // made for the first head size seen; null on the ND4J path
    private long kernelHeadDim = -1;

    /** Per image and head (default) or per layer (BiBERT). */
    public enum Norm {
        HEAD, LAYER;

        public static Norm parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("DGD normalisation must be head or layer, got '" + text + "'");
            }
        }
    }

    /**
     * The loss of one tensor of one layer.
     *
     * @param total   the loss term of this layer and tensor (what enters L_DGD)
     * @param perHead its decomposition per head: mean over images of ||G_T - G_S||_F with the per-head
     *                normalisation (identical to the terms of {@code total} for {@code HEAD})
     */
    public record Term(double total, double[] perHead) {
        public Term {
            perHead = perHead.clone();
        }

        @Override
        public double[] perHead() {
            return perHead.clone();
        }
    }

    public DistributionGuidedDistillation(Norm norm, Buffers buffers) {
        this.norm = norm;
        this.buffers = buffers;
    }

    /** Runs the per-head form on the given kernel path from now on (the tests compare the paths). */
    public DistributionGuidedDistillation useKernels(Kernels.Path path) {
        this.path = path;
        this.kernel = null;
        this.kernelHeadDim = -1;
        return this;
    }

    /**
     * Loss of student vs teacher similarities; when {@code gradient} is not null, writes weight * dLoss/dStudent
     * into it ([B, H, N, d]).
     */
    public Term compute(String key, INDArray student, INDArray teacher, double weight, INDArray gradient) {
        long b = student.size(0);
        long h = student.size(1);
        long n = student.size(2);
        long bh = b * h;
        DistillationKernel fused = fused(student, teacher, gradient);
        if (fused != null) {
            float[] distances = fused.distances(FloatMemory.of(student), FloatMemory.of(teacher), (int) bh, (int) n,
                    (int) student.size(3), (int) b, (float) weight, gradient == null ? null : FloatMemory.of(gradient));
            double[] perHead = perHeadMean(distances, b, h);
            return new Term(sum(perHead), perHead);
        }
        INDArray gs = normalizedSimilarity(key + ".s", student, norm == Norm.HEAD);
        INDArray gt = normalizedSimilarity(key + ".t", teacher, norm == Norm.HEAD);
        INDArray diff = gs.sub(gt, buffers.get(key + ".diff", bh, n, n));               // [B*H, N, N]
        INDArray distance = buffers.get(key + ".dist", bh);
        Nd4j.exec(new Norm2(diff, distance, 1, 2));                                      // ||G_S - G_T|| per (b, h)
        double[] perHead = perHeadMean(norm == Norm.HEAD ? distance : headDistances(key, student, teacher), b, h);
        double total = norm == Norm.HEAD ? sum(perHead) : diff.norm2Number().doubleValue();
        if (gradient != null) {
            backward(key, student, gs, diff, distance, total, weight, gradient);
        }
        return new Term(total, perHead);
    }

    /** The fused kernel for these tensors, or null: the layer form, float64, another path or a non-dense view. */
    private DistillationKernel fused(INDArray student, INDArray teacher, INDArray gradient) {
        if (norm != Norm.HEAD || student.dataType() != DataType.FLOAT || !FloatMemory.isDense(student)
                || !FloatMemory.isDense(teacher) || (gradient != null && !FloatMemory.isDense(gradient))) {
            return null;
        }
        if (kernelHeadDim != student.size(3)) {
            kernel = Kernels.distillation(path, (int) student.size(3));
            kernelHeadDim = student.size(3);
        }
        return kernel;
    }

    /**
     * The per-head G = x x^T / (||x x^T||_F + eps) of one image, from plain arrays, for the probes that show it
     * (the training path above works on ND4J buffers of the whole batch).
     *
     * @param x [B, H, N, d] row-major
     * @return [H, N, N] row-major
     */
    public static float[] similarity(float[] x, int image, int heads, int tokens, int headDim) {
        float[] g = new float[heads * tokens * tokens];
        double[] m = new double[tokens * tokens];
        for (int h = 0; h < heads; h++) {
            int base = (image * heads + h) * tokens * headDim;
            double squares = 0;
            for (int i = 0; i < tokens; i++) {
                for (int j = 0; j < tokens; j++) {
                    double dot = 0;
                    for (int c = 0; c < headDim; c++) {
                        dot += (double) x[base + i * headDim + c] * x[base + j * headDim + c];
                    }
                    m[i * tokens + j] = dot;
                    squares += dot * dot;
                }
            }
            double norm = Math.sqrt(squares) + EPS;
            for (int k = 0; k < m.length; k++) {
                g[h * tokens * tokens + k] = (float) (m[k] / norm);
            }
        }
        return g;
    }

    /** G = M / ||M|| with M = x x^T (per head) or x x^T / sqrt(d) over the whole tensor (per layer). */
    private INDArray normalizedSimilarity(String key, INDArray x, boolean perHead) {
        long bh = x.size(0) * x.size(1);
        long n = x.size(2);
        INDArray x3 = x.reshape(bh, n, x.size(3));
        INDArray m = buffers.get(key + ".m", bh, n, n);
        Tensors.matmul(x3, x3, m, false, true, perHead ? 1.0 : 1.0 / Math.sqrt(x.size(3)));
        INDArray norms = buffers.get(key + ".norm", bh);
        if (perHead) {
            Nd4j.exec(new Norm2(m, norms, 1, 2));
        } else {
            norms.assign(m.norm2Number());
        }
        norms.addi(EPS);
        m.div(norms.reshape(bh, 1, 1), m);
        return m;
    }

    /**
     * d total / d x, scaled by weight: dG = D / ||D|| (per head, or of the layer), dM = (dG - G <G, dG>) / ||M||,
     * dx = (dM + dM^T) x (times 1/sqrt(d) for the layer form).
     */
    private void backward(String key, INDArray x, INDArray g, INDArray diff, INDArray distance, double total,
                          double weight, INDArray gradient) {
        long bh = x.size(0) * x.size(1);
        long n = x.size(2);
        INDArray dG = buffers.get(key + ".dG", bh, n, n);
        if (norm == Norm.HEAD) {
            INDArray inv = buffers.get(key + ".inv", bh);
            inv.assign(distance).addi(EPS).muli(x.size(0)).rdivi(weight);           // mean over images
            diff.mul(inv.reshape(bh, 1, 1), dG);
        } else {
            diff.mul(weight / (total + EPS), dG);
        }
        INDArray dot = buffers.get(key + ".dot", bh);
        INDArray tmp = dG.mul(g, buffers.get(key + ".tmp", bh, n, n));
        if (norm == Norm.HEAD) {
            Nd4j.exec(new Sum(tmp, dot, 1, 2));
            g.mul(dot.reshape(bh, 1, 1), tmp);
        } else {
            g.mul(tmp.sumNumber().doubleValue(), tmp);
        }
        dG.subi(tmp);                                                                     // dG - G <G, dG>
        dG.div(buffers.get(key + ".s.norm", bh).reshape(bh, 1, 1), dG);                  // / ||M||
        INDArray symmetric = dG.add(dG.permute(0, 2, 1), tmp);                            // dM + dM^T
        INDArray x3 = x.reshape(bh, n, x.size(3));
        double scale = norm == Norm.HEAD ? 1.0 : 1.0 / Math.sqrt(x.size(3));
        Tensors.matmul(symmetric, x3, gradient.reshape(bh, n, x.size(3)), false, false, scale);
    }

    /** For the layer form, the per-head curves still use the per-head normalisation. */
    private INDArray headDistances(String key, INDArray student, INDArray teacher) {
        long bh = student.size(0) * student.size(1);
        long n = student.size(2);
        INDArray gs = normalizedSimilarity(key + ".hs", student, true);
        INDArray gt = normalizedSimilarity(key + ".ht", teacher, true);
        INDArray d = gs.sub(gt, buffers.get(key + ".hdiff", bh, n, n));
        INDArray out = buffers.get(key + ".hdist", bh);
        Nd4j.exec(new Norm2(d, out, 1, 2));
        return out;
    }

    private static double[] perHeadMean(INDArray distances, long b, long h) {
        double[] all = distances.toDoubleVector();
        double[] out = new double[(int) h];
        for (int i = 0; i < all.length; i++) {
            out[(int) (i % h)] += all[i] / b;
        }
        return out;
    }

    /** As above for the fused kernel's distances (the first B*H entries of {@code all}, image-major). */
    private static double[] perHeadMean(float[] all, long b, long h) {
        double[] out = new double[(int) h];
        for (int i = 0; i < b * h; i++) {
            out[(int) (i % h)] += all[i] / (double) b;
        }
        return out;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
