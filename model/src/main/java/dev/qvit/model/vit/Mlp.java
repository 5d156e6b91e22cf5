package dev.qvit.model.vit;

import dev.qvit.model.nn.Gelu;
import dev.qvit.model.nn.Linear;
import dev.qvit.model.nn.ParameterSet;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The block's feed-forward network, FC2(GELU(FC1(x))). Training thread only. */
public final class Mlp {
    private final Linear fc1;
    private final Gelu gelu;
    private final Linear fc2;

    public Mlp(ParameterSet params, String name, int dim, int hidden) {
        this.fc1 = new Linear(params, name + ".fc1", dim, hidden);
        this.gelu = new Gelu(params.dataType());
        this.fc2 = new Linear(params, name + ".fc2", hidden, dim);
    }

    public void init(Random random) {
        fc1.initTransformer(random);
        fc2.initTransformer(random);
    }

    /** x [T, D] -> [T, D]. */
    public INDArray forward(INDArray x) {
        return fc2.forward(gelu.forward(fc1.forward(x)));
    }

    public INDArray backward(INDArray dy) {
        return fc1.backward(gelu.backward(fc2.backward(dy)));
    }

    public Linear fc1() {
        return fc1;
    }

    public Linear fc2() {
        return fc2;
    }
}
