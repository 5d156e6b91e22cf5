package dev.qvit.model.probe;

import dev.qvit.model.nn.Parameter;
import dev.qvit.model.vit.Backbone;
import dev.qvit.records.LayerProbe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A full-precision model's own tensors as plain values, for the teaching demo's quantizer: the queries and keys of
 * every block and head on a probe batch, and every weight matrix. Taken once, through a replica (the model's own
 * buffers are left alone).
 */
public final class TeacherTensors {
    private final List<LayerProbe> layers;
    private final Map<String, float[]> weights;

    private TeacherTensors(List<LayerProbe> layers, Map<String, float[]> weights) {
        this.layers = layers;
        this.weights = weights;
    }

    public static TeacherTensors of(Backbone teacher, ProbeBatch batch) {
        Backbone replica = teacher.replica();
        List<LayerProbe> probes = replica.probes(replica.trace(batch.normalised(), false), batch.count());
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Parameter p : teacher.parameters().parameters()) {
            if (p.shape().length == 2 && p.name().endsWith(".weight")) {
                weights.put(p.name(), p.value().dup('c').castTo(DataType.FLOAT).data().asFloat());
            }
        }
        return new TeacherTensors(probes, java.util.Collections.unmodifiableMap(weights));
    }

    public int layers() {
        return layers.size();
    }

    public int heads() {
        return layers.get(0).heads();
    }

    /** Images the queries and keys were taken on. */
    public int images() {
        return layers.get(0).images();
    }

    /** q of one head over the probe images' tokens and channels. */
    public float[] query(int layer, int head) {
        return layers.get(layer).queryOfHead(head);
    }

    /** k of one head. */
    public float[] key(int layer, int head) {
        return layers.get(layer).keyOfHead(head);
    }

    /** Names of the weight matrices, in the model's order (e.g. "blocks.0.attn.qkv.weight"). */
    public List<String> weightNames() {
        return List.copyOf(weights.keySet());
    }

    public float[] weight(String name) {
        float[] w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("the model has no weight matrix " + name);
        }
        return w.clone();
    }
}
