package dev.qvit.app.cli;

import dev.qvit.model.vit.Backbone;
import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.io.Checkpoint;
import dev.qvit.records.BlockStatistics;
import dev.qvit.model.probe.QueryKeyAnalysis;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qvit fig1}: the paper's Fig. 1 for our models, per block mean and std of the queries. */
@Command(name = "fig1", mixinStandardHelpOptions = true,
        description = "Per block mean/std of the queries of the FP teacher, a quantized baseline and a quantized model with IRM.")
public final class Fig1Command implements Callable<Integer> {
    @Mixin
    TestDataOptions data;

    @Option(names = "--teacher", required = true, description = "Full-precision teacher checkpoint.")
    Path teacherFile;
    @Option(names = "--baseline", required = true, description = "Quantized baseline student (no IRM).")
    Path baselineFile;
    @Option(names = "--irm", required = true, description = "Quantized student with IRM.")
    Path irmFile;
    @Option(names = "--images", defaultValue = "512", description = "Test images to pool (default: ${DEFAULT-VALUE}).")
    int images;

    @Override
    public Integer call() throws Exception {
        Backbone teacher = QuantizeCommand.loadTeacher(teacherFile).model();
        Backbone baseline = Checkpoint.load(baselineFile);
        Backbone irm = Checkpoint.load(irmFile);
        for (Backbone s : List.of(baseline, irm)) {
            if (s.quantization() == null || !s.config().equals(teacher.config())) {
                throw new IllegalArgumentException("--baseline and --irm must be quantized students of the teacher's size");
            }
        }
        INDArray probe = BatchLoader.firstImages(data.loadTest().images(), images);
        List<BlockStatistics> base = QueryKeyAnalysis.analyse(teacher, baseline, probe);
        List<BlockStatistics> rect = QueryKeyAnalysis.analyse(teacher, irm, probe);
        System.out.printf("Queries per block over %d test images (all heads, tokens, channels)%n", probe.size(0));
        int irmBits = irm.quantization().bits();
        System.out.printf("baseline: %s (W%dA%d)   IRM: %s (W%dA%d IRM(%s))%n%n", baselineFile, baseline.quantization().bits(),
                baseline.quantization().bits(), irmFile, irmBits, irmBits,
                irm.quantization().rectification().name().toLowerCase());
        System.out.println("| block | FP mu / sigma | baseline Q(q) mu / sigma | H(Q(q)) bits | IRM q~ mu / sigma "
                + "| IRM Q(q~) mu / sigma | H(Q(q~)) bits |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int l = 0; l < base.size(); l++) {
            BlockStatistics b = base.get(l);
            BlockStatistics r = rect.get(l);
            System.out.printf("| %d | %.4f / %.4f | %.4f / %.4f | %.2f | %.4f / %.4f | %.4f / %.4f | %.2f |%n", l,
                    b.teacherQuery().mean(), b.teacherQuery().std(), b.quantizedQuery().mean(), b.quantizedQuery().std(),
                    b.queryEntropyBits(), r.rectifiedQuery().mean(), r.rectifiedQuery().std(), r.quantizedQuery().mean(),
                    r.quantizedQuery().std(), r.queryEntropyBits());
        }
        return 0;
    }

}
