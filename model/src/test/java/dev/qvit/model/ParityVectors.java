package dev.qvit.model;

import dev.qvit.model.io.Checkpoint;
import dev.qvit.model.io.Npy;
import dev.qvit.model.nn.ParameterSet;
import java.io.IOException;
import java.io.InputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loads the PyTorch reference vectors under src/test/resources/parity (made by reference/*.py). */
public final class ParityVectors {
    private final String folder;

    public ParityVectors(String folder) {
        this.folder = "/parity/" + folder + "/";
    }

    public byte[] bytes(String name) throws IOException {
        try (InputStream in = ParityVectors.class.getResourceAsStream(folder + name + ".npy")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    public Npy.Array array(String name) throws IOException {
        byte[] b = bytes(name);
        if (b == null) {
            throw new IOException("missing parity vector " + folder + name + ".npy");
        }
        return Npy.read(b, name);
    }

    public INDArray tensor(String name, DataType type) throws IOException {
        Npy.Array a = array(name);
        return Nd4j.createFromArray(a.values()).castTo(type).reshape(a.shape());
    }

    public int[] ints(String name) throws IOException {
        double[] v = array(name).values();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Assigns every parameter from "{prefix}{name}.npy". */
    public void loadParameters(ParameterSet params, String prefix) throws IOException {
        Checkpoint.loadParameters(params, name -> bytes(prefix + name), folder);
    }

    /** |a - b| <= tol * max|b| elementwise (the scale taken as at least 1e-3): closeness relative to the tensor's scale. */
    public static void assertCloseToScale(float[] actual, float[] expected, double tol) {
        org.assertj.core.api.Assertions.assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        org.assertj.core.api.Assertions.assertThat(worst).as("max abs difference (scale %.3g)", scale)
                .isLessThanOrEqualTo(tol * Math.max(1e-3, scale));
    }
}
