package dev.qvit.model.quant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Comparison of Java tensors with the PyTorch reference vectors (reference/make_quant_vectors.py): the error
 * is max|actual - expected| relative to the tensor's scale max|expected|, and the worst error per group is
 * kept for the summary each parity test prints.
 */
final class Agreement {
    private final String title;
    private final Map<String, double[]> worst = new TreeMap<>();   // group -> {max relative error, tensors}

    Agreement(String title) {
        this.title = title;
    }

    /** max|a - e| / max|e|; an all-zero expected tensor gives max|a| (absolute). */
    static double relativeError(double[] actual, double[] expected) {
        assertThat(actual).as("length").hasSameSizeAs(expected);
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    static double[] values(INDArray a) {
        return a.dup().castTo(DataType.DOUBLE).data().asDouble();
    }

    /** Records and checks one tensor: relative error at most {@code tolerance}. */
    double check(String group, String name, INDArray actual, Npy.Array expected, double tolerance) {
        return check(group, name, values(actual), expected.values(), tolerance);
    }

    double check(String group, String name, double[] actual, double[] expected, double tolerance) {
        double error = relativeError(actual, expected);
        record(group, error);
        assertThat(error).as("%s: %s, max error relative to max|expected|", title, name).isLessThanOrEqualTo(tolerance);
        return error;
    }

    void record(String group, double error) {
        double[] w = worst.computeIfAbsent(group, g -> new double[2]);
        w[0] = Math.max(w[0], error);
        w[1]++;
    }

    void print() {
        StringBuilder out = new StringBuilder("[parity] ").append(title).append(':');
        worst.forEach((group, w) -> out.append(String.format("%n    %-22s max rel. error %.2e  (%d tensors)", group, w[0], (int) w[1])));
        System.out.println(out);
    }

    static JsonNode json(String resource) throws IOException {
        try (InputStream in = Agreement.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing parity resource " + resource);
            }
            return new ObjectMapper().readTree(in);
        }
    }
}
