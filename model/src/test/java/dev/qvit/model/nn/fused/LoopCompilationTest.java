package dev.qvit.model.nn.fused;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The directive that keeps the vector loops compiled on their own is in place once the kernels are chosen. */
class LoopCompilationTest {
    @Test
    void theVectorPathAddsTheDirectiveThatKeepsLoopsOutOfTheirCallers() throws Exception {
        assertThat(Kernels.requestedPath()).isEqualTo(Kernels.Path.VECTOR);           // the build adds the module
        assertThat(Kernels.DIRECTIVE_MISSING).isNull();
        assertThat(LoopCompilation.installed()).contains("Vector*.*Body");
    }
}
