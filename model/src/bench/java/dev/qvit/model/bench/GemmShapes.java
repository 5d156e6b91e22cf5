package dev.qvit.model.bench;

import dev.qvit.model.nn.Blas;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The three products of each linear layer of the tiny model (y = x W^T, dx = dy W, dW = dy^T x) for one and two
 * slices' tokens, through {@code Nd4j.gemm} and through {@link Blas} (the same sgemm without ND4J's op): thread CPU
 * ms, median of 101, twice each. A main, not a test; run with OMP_NUM_THREADS=1 as StepProfile says.
 */
public final class GemmShapes {
    private GemmShapes() {
    }

    public static void main(String[] args) {
        Nd4j.factory().blas().setMaxThreads(1);
        int[][] layers = {{64, 192}, {64, 64}, {64, 256}, {256, 64}};          // {in, out}: qkv, proj, fc1, fc2
        for (int tokens : new int[] {1600, 3200}) {
            for (int[] layer : layers) {
                int in = layer[0];
                int out = layer[1];
                INDArray x = Nd4j.rand(DataType.FLOAT, tokens, in);
                INDArray w = Nd4j.rand(DataType.FLOAT, out, in);
                INDArray y = Nd4j.create(DataType.FLOAT, tokens, out);
                INDArray dy = Nd4j.rand(DataType.FLOAT, tokens, out);
                INDArray dx = Nd4j.create(DataType.FLOAT, tokens, in);
                INDArray dw = Nd4j.create(DataType.FLOAT, out, in);
                for (int round = 0; round < 2; round++) {
                    System.out.printf(Locale.ROOT, "[%d, %d] -> %d | y: nd4j %.3f direct %.3f | dx: nd4j %.3f "
                            + "direct %.3f | dW: nd4j %.3f direct %.3f%n", tokens, in, out,
                            ms(() -> Nd4j.gemm(x, w, y, false, true, 1.0, 0.0)),
                            ms(() -> Blas.gemm(x, w, y, false, true, 0.0)),
                            ms(() -> Nd4j.gemm(dy, w, dx, false, false, 1.0, 0.0)),
                            ms(() -> Blas.gemm(dy, w, dx, false, false, 0.0)),
                            ms(() -> Nd4j.gemm(dy, x, dw, true, false, 1.0, 0.0)),
                            ms(() -> Blas.gemm(dy, x, dw, true, false, 0.0)));
                }
            }
        }
    }

    private static double ms(Runnable product) {
        return ThreadCpuTime.medianMillis(product, 50, 101);
    }
}
