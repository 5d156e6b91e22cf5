package dev.qvit.model.swin;

import dev.qvit.model.nn.Buffers;
import dev.qvit.model.nn.DenseLayer;
import dev.qvit.model.nn.LayerNorm;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.QuantizationConfig;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Swin's patch merging between stages: each 2x2 group of tokens becomes one token of 4C features,
 * [x(2i, 2j), x(2i+1, 2j), x(2i, 2j+1), x(2i+1, 2j+1)] in timm's order, then LayerNorm(4C) and a linear map to
 * 2C without bias (quantized in a student, like every block linear). Training thread only.
 */
public final class PatchMerging {
    private final int resolution;
    private final int dim;
    private final LayerNorm norm;
    private final DenseLayer reduction;
    private final Buffers buffers;

    public PatchMerging(ParameterSet params, String name, int resolution, int dim, QuantizationConfig quant) {
        this.resolution = resolution;
        this.dim = dim;
        this.norm = new LayerNorm(params, name + ".norm", 4 * dim, SwinBlock.LAYER_NORM_EPS);
        this.reduction = QuantizationConfig.dense(quant, params, name + ".reduction", 4 * dim, 2 * dim, false);
        this.buffers = params.buffers();
    }

    public void init(Random random) {
        norm.init();
        if (reduction instanceof Linear linear) {
            linear.initTransformer(random);
        }
    }

    /** x [B*r*r, C] -> [B*(r/2)^2, 2C]. */
    public INDArray forward(INDArray x, boolean training) {
        int batch = (int) (x.rows() / ((long) resolution * resolution));
        int half = resolution / 2;
        INDArray merged = buffers.get("merged", (long) batch * half * half, 4L * dim);       // [B*(r/2)^2, 4C]
        merged.reshape(batch, half, half, 2, 2, dim)                                        // [B, i, j, dx, dy, C]
                .assign(x.reshape(batch, half, 2, half, 2, dim).permute(0, 1, 3, 4, 2, 5));
        return reduction.forward(norm.forward(merged), training);
    }

    /** dy [B*(r/2)^2, 2C] -> dx [B*r*r, C]. */
    public INDArray backward(INDArray dy) {
        INDArray dMerged = norm.backward(reduction.backward(dy));                           // [B*(r/2)^2, 4C]
        int half = resolution / 2;
        int batch = (int) (dMerged.rows() / ((long) half * half));
        INDArray dx = buffers.get("dx", (long) batch * resolution * resolution, dim);
        dx.reshape(batch, half, 2, half, 2, dim).permute(0, 1, 3, 4, 2, 5)
                .assign(dMerged.reshape(batch, half, half, 2, 2, dim));
        return dx;
    }

    public DenseLayer reduction() {
        return reduction;
    }
}
