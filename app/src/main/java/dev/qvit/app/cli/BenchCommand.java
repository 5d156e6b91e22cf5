package dev.qvit.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.bench.Benchmark;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qvit bench}: one JSON line of step times and throughput. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and inference step times (medians after warm-up) and print one JSON line.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;
    @Mixin
    ThreadOptions threads;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--warmup", defaultValue = "30",
            description = "Untimed warm-up steps; the JIT is still compiling the kernels in the first 20 or so (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || steps < 1) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --steps >= 1");
        }
        Benchmark bench = new Benchmark(model.vit(), batch, threads.count(), warmup, steps);
        Map<String, Object> result = bench.run(model.name());
        System.out.println(new ObjectMapper().writeValueAsString(result));
        return 0;
    }
}
