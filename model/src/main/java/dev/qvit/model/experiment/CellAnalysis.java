package dev.qvit.model.experiment;

import dev.qvit.model.nn.NativeMemory;
import dev.qvit.model.probe.QueryKeyAnalysis;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.vit.Backbone;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.BlockHistograms;
import dev.qvit.records.BlockStatistics;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.GaussianFit;
import dev.qvit.records.Histogram;
import dev.qvit.records.LayerDiagnostics;
import dev.qvit.records.LayerProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures a trained ablation cell on the probe images: the Fig. 1 statistics and histograms of teacher and student
 * per block, and per quantized tensor the SQNR against the teacher's tensor (weights as the student stores them,
 * q, k and the attention probabilities as its products use them) and the weight oscillation of the last epoch.
 */
public final class CellAnalysis {
    /** Histogram bins of the Fig. 1 view. */
    public static final int BINS = 80;
    private static final String[] LINEARS = {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"};

    private CellAnalysis() {
    }

    /** What the run measured itself, besides the model. */
    public record Run(List<EpochMetrics> epochs, double distillation, Map<String, Double> oscillation, double seconds,
                      String session) {
    }

    public static CellResult measure(AblationPlan.Cell cell, AblationPlan plan, Backbone teacher,
                                     Backbone student, INDArray probeImages, Run run) {
        int n = (int) probeImages.size(0);
        List<LayerProbe> t = teacher.probes(teacher.trace(probeImages, false), n);
        List<LayerProbe> s = student.probes(student.trace(probeImages, false), n);
        List<LayerGeometry> geometry = student.attentionGeometry();
        List<BlockStatistics> blocks = QueryKeyAnalysis.analyse(t, s, student.quantizerSnapshots(), geometry);
        List<BlockHistograms> studentHistograms = new ArrayList<>();
        List<BlockHistograms> inputHistograms = new ArrayList<>();
        List<BlockHistograms> teacherHistograms = new ArrayList<>();
        List<LayerDiagnostics> diagnostics = new ArrayList<>();
        for (int l = 0; l < t.size(); l++) {
            LayerProbe tp = t.get(l);
            LayerProbe sp = s.get(l);
            teacherHistograms.add(histograms(l, tp.query(), tp.key()));
            studentHistograms.add(histograms(l, sp.quantizedQuery(), sp.quantizedKey()));
            inputHistograms.add(histograms(l, sp.rectifiedQuery(), sp.rectifiedKey()));
            for (String linear : LINEARS) {
                String name = geometry.get(l).block() + "." + linear;
                diagnostics.add(new LayerDiagnostics(name + ".weight", weightSqnr(teacher, student, name),
                        run.oscillation().getOrDefault(name + ".weight", Double.NaN)));
            }
            String attn = geometry.get(l).block() + ".attn.";
            diagnostics.add(new LayerDiagnostics(attn + "q", sqnr(tp.query(), sp.quantizedQuery()), Double.NaN));
            diagnostics.add(new LayerDiagnostics(attn + "k", sqnr(tp.key(), sp.quantizedKey()), Double.NaN));
            diagnostics.add(new LayerDiagnostics(attn + "attention", sqnr(tp.attention(), sp.quantizedAttention()),
                    Double.NaN));
        }
        teacher.parameters().releaseBuffers();
        student.parameters().releaseBuffers();
        NativeMemory.returnUnused();
        List<EpochMetrics> epochs = run.epochs();
        return new CellResult(cell.bits(), cell.variant().label(), cell.seed(),
                plan.irmForm().name().toLowerCase(Locale.ROOT), plan.lambda(),
                epochs.get(epochs.size() - 1).testAccuracy(), run.distillation(), epochs, blocks, run.seconds(),
                studentHistograms, inputHistograms, teacherHistograms, diagnostics, run.session(), CellResult.MEASUREMENT);
    }

    private static BlockHistograms histograms(int layer, float[] query, float[] key) {
        return new BlockHistograms(layer, Histogram.of(query, BINS), GaussianFit.of(query), Histogram.of(key, BINS),
                GaussianFit.of(key));
    }

    /** 10 log10(Σ t² / Σ (s - t)²) in dB; +∞ when they are equal. */
    public static double sqnr(float[] teacher, float[] student) {
        if (teacher.length != student.length) {
            throw new IllegalArgumentException("SQNR of tensors of %d and %d values".formatted(teacher.length,
                    student.length));
        }
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < teacher.length; i++) {
            double e = (double) student[i] - teacher[i];
            signal += (double) teacher[i] * teacher[i];
            noise += e * e;
        }
        return 10 * Math.log10(signal / noise);
    }

    /** The student's weight as it multiplies (codes times steps) against the teacher's. */
    private static double weightSqnr(Backbone teacher, Backbone student, String layer) {
        INDArray w = student.parameters().get(layer + ".weight").value();
        LsqQuantizer q = student.quantizers().stream().filter(x -> x.name().equals(layer + ".weight_quant"))
                .findFirst().orElseThrow();
        INDArray codes = Nd4j.createUninitialized(w.dataType(), w.shape());
        INDArray step = Nd4j.createUninitialized(w.dataType(), q.step().value().length());
        q.weightCodes(w, step, codes);
        INDArray dequantized = codes.mulColumnVector(step.reshape(step.length(), 1));               // [out, in]
        float[] s = dequantized.castTo(DataType.FLOAT).data().asFloat();
        float[] t = teacher.parameters().get(layer + ".weight").value().dup().castTo(DataType.FLOAT).data().asFloat();
        return sqnr(t, s);
    }
}
