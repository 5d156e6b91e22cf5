package dev.qvit.model.nn.fused;

import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation runs the fused element-wise kernels: the Vector API ({@code vector}, when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}, as {@code ./qvit} and the tests do), plain loops
 * ({@code scalar}: the same numbers, slower), or none ({@code nd4j}: the reference path of one ND4J op per pass).
 * {@code -Dqvit.kernels=vector|scalar|nd4j} forces one; the default takes the vector kernels where the module is
 * present. A vector kernel that is seen allocating after warm-up (the JIT did not compile it to vector code, a
 * known JDK 17 failure) is replaced by the scalar one for the rest of the run; see {@link AllocationGuard}.
 */
public final class Kernels {
    public static final String PROPERTY = "qvit.kernels";
    /** The work that runs fused (the rest of a step is ND4J's ops). */
    public static final String FUSED = "LSQ, GELU, LayerNorm, IRM distribution form, attention core, DGD similarities";
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final Path REQUESTED = requested();
    /** Why the loops' compiler directive is missing, or null when it is in place (or not needed). */
    static final String DIRECTIVE_MISSING = REQUESTED == Path.VECTOR ? loopDirective() : null;
    private static volatile String fallbackReason;

    public enum Path {
        VECTOR, SCALAR, ND4J;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Kernels() {
    }

    private static Path requested() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        boolean vectorPresent = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && VectorLsq.usable();
        switch (value) {
            case "nd4j":
                return Path.ND4J;
            case "scalar":
                return Path.SCALAR;
            case "vector":
            case "auto":
                if (vectorPresent) {
                    return Path.VECTOR;
                }
                if (value.equals("vector")) {
                    LOG.warn("-D{}=vector, but the JVM has no jdk.incubator.vector module (start it with "
                            + "--add-modules jdk.incubator.vector): using the scalar kernels", PROPERTY);
                }
                return Path.SCALAR;
            default:
                LOG.warn("-D{}={} is not one of vector, scalar, nd4j: using the default", PROPERTY, value);
                return vectorPresent ? Path.VECTOR : Path.SCALAR;
        }
    }

    private static String loopDirective() {
        String missing = LoopCompilation.install();
        if (missing != null) {
            LOG.warn("The vector kernels' compiler directive could not be added ({}): a kernel the JIT leaves boxed "
                    + "falls back to the scalar one", missing);
        }
        return missing;
    }

    /** The path asked for at start-up (by -Dqvit.kernels or by the module's presence), fallback or not. */
    public static Path requestedPath() {
        return REQUESTED;
    }

    /** The path new kernels take now: the requested one, or scalar after a vector kernel fell back. */
    public static Path path() {
        return REQUESTED == Path.VECTOR && fallbackReason != null ? Path.SCALAR : REQUESTED;
    }

    /**
     * What ran, for the bench and the logs: "vector (512-bit vectors; fused: LSQ)", "scalar (fused: LSQ)",
     * "scalar (fallback: ...; fused: LSQ)" or "nd4j".
     */
    public static String describe() {
        if (REQUESTED == Path.ND4J) {
            return "nd4j";
        }
        String fused = "fused: " + FUSED;
        if (fallbackReason != null) {
            return "scalar (fallback: " + fallbackReason + "; " + fused + ")";
        }
        return REQUESTED == Path.VECTOR ? "vector (" + VectorLsq.describe() + "; " + fused + ")"
                : "scalar (" + fused + ")";
    }

    /** A fresh LSQ kernel (one per quantizer: kernels keep scratch), or null on the ND4J path. */
    public static LsqKernel lsq(Path path) {
        return choose(path, true, GuardedLsq::new, ScalarLsq::new);
    }

    /** A GELU kernel (one per layer), or null on the ND4J path. */
    public static GeluKernel gelu(Path path) {
        return choose(path, true, GuardedGelu::new, ScalarGelu::new);
    }

    /**
     * A layer-norm kernel for rows of {@code dim} floats (one per layer: it keeps scratch), or null on the ND4J path;
     * rows of up to {@link LsqKernel#PARTIALS} floats (IRM's token form) have their own, a lane per row.
     */
    public static LayerNormKernel layerNorm(Path path, int dim) {
        return dim <= LsqKernel.PARTIALS ? choose(path, true, GuardedNarrowLayerNorm::new, ScalarLayerNorm::new)
                : choose(path, true, GuardedLayerNorm::new, ScalarLayerNorm::new);
    }

    /** A kernel for IRM's distribution form (one per module: it keeps scratch), or null on the ND4J path. */
    public static RectificationKernel rectification(Path path) {
        return choose(path, true, GuardedRectification::new, ScalarRectification::new);
    }

    /**
     * An attention core for heads of size {@code headDim} (one per layer: it keeps scratch), or null on the ND4J
     * path; the scalar one where the head size is not a multiple of the vector length.
     */
    public static AttentionKernel attention(Path path, int headDim) {
        // REQUESTED first: without the module, VectorAttention must not even be loaded
        return choose(path, REQUESTED == Path.VECTOR && VectorAttention.supports(headDim), GuardedAttention::new,
                ScalarAttention::new);
    }

    /**
     * DGD's per-head similarity distance for heads of size {@code headDim} (one per DGD: it keeps scratch), or null
     * on the ND4J path; the scalar one where the head size is not a multiple of the vector length.
     */
    public static DistillationKernel distillation(Path path, int headDim) {
        return choose(path, REQUESTED == Path.VECTOR && VectorDistillation.supports(headDim), GuardedDistillation::new,
                ScalarDistillation::new);
    }

    /**
     * The kernel of a path: none for ND4J, the guarded vector kernel where the Vector API is there and fits, else
     * the scalar one.
     */
    private static <K> K choose(Path path, boolean vectorFits, Supplier<K> vector, Supplier<K> scalar) {
        if (path == Path.ND4J) {
            return null;
        }
        return path == Path.VECTOR && REQUESTED == Path.VECTOR && vectorFits ? vector.get() : scalar.get();
    }

    static void fallBack(String reason) {
        if (fallbackReason == null) {
            fallbackReason = reason;
            LOG.warn("fused vector kernels fell back to plain loops (same numbers, slower): {}", reason);
        }
    }

    static boolean fellBack() {
        return fallbackReason != null;
    }
}
