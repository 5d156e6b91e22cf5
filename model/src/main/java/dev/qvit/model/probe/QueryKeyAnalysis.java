package dev.qvit.model.probe;

import dev.qvit.model.vit.Backbone;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.GaussianFit;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.LayerProbe;
import dev.qvit.records.QuantizerSnapshot;
import dev.qvit.records.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Fig. 1 of the paper for our models: per block q/k statistics of teacher vs quantized student. */
public final class QueryKeyAnalysis {
    private QueryKeyAnalysis() {
    }

    /** Runs both models in evaluation mode on {@code images} and compares their queries and keys per block. */
    public static List<BlockStatistics> analyse(Backbone teacher, Backbone student, INDArray images) {
        int n = (int) images.size(0);
        List<LayerProbe> t = teacher.probes(teacher.trace(images, false), n);
        List<LayerProbe> s = student.probes(student.trace(images, false), n);
        return analyse(t, s, student.quantizerSnapshots(), student.attentionGeometry());
    }

    /** The same from probes already taken of both models on the same images. */
    public static List<BlockStatistics> analyse(List<LayerProbe> t, List<LayerProbe> s,
                                                List<QuantizerSnapshot> quantizers, List<LayerGeometry> blocks) {
        List<BlockStatistics> out = new ArrayList<>();
        for (int l = 0; l < t.size(); l++) {
            LayerProbe tp = t.get(l);
            LayerProbe sp = s.get(l);
            out.add(new BlockStatistics(l, GaussianFit.of(tp.allQueries(Stage.RAW)),
                    GaussianFit.of(sp.allQueries(Stage.RAW)), GaussianFit.of(sp.allQueries(Stage.RECTIFIED)),
                    GaussianFit.of(sp.allQueries(Stage.QUANTIZED)), GaussianFit.of(tp.key()),
                    GaussianFit.of(sp.key()), GaussianFit.of(sp.quantized() ? sp.rectifiedKey() : sp.key()),
                    GaussianFit.of(sp.quantized() ? sp.quantizedKey() : sp.key()),
                    entropy(quantizers, blocks.get(l).quantizerName(Tensor.QUERY)),
                    entropy(quantizers, blocks.get(l).quantizerName(Tensor.KEY))));
        }
        return out;
    }

    private static double entropy(List<QuantizerSnapshot> quantizers, String name) {
        return quantizers.stream().filter(q -> q.name().equals(name)).findFirst()
                .map(q -> q.usage().entropyBits()).orElse(Double.NaN);
    }
}
