package dev.qvit.model.nn.fused;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Keeps C2 from inlining a vector kernel's loop ({@code Vector*.*Body}) into its caller, through a compiler
 * directive added at run time (what {@code jcmd <pid> Compiler.directives_add} does), so it holds however the JVM
 * was started.
 *
 * <p>Why: inlined into their caller, the two GELU loops made one compilation that went past C2's
 * NodeCountInliningCutoff before the second loop's {@code cdf} helper, which was then left a call with its vectors
 * boxed (230 KB per call; see {@link VectorGelu}). Compiled on its own, a loop stays below the cutoff.
 */
final class LoopCompilation {
    static final String LOOPS = "dev/qvit/model/nn/fused/Vector*.*Body";
    private static final String DIRECTIVE = "[{ match: \"*.*\", inline: \"-" + LOOPS + "\" }]";

    private LoopCompilation() {
    }

    /** Adds the directive; the reason when it could not (the guard then catches a boxed loop). */
    static String install() {
        Path file = null;
        try {
            file = Files.createTempFile("qvit-compiler-directive", ".json");
            Files.writeString(file, DIRECTIVE, StandardCharsets.UTF_8);
            String answer = diagnosticCommand("compilerDirectivesAdd", file.toString());
            return answer.contains("1 compiler directives added") ? null : answer.trim();
        } catch (IOException | JMException | RuntimeException e) {
            return e.toString();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file of a few bytes
                }
            }
        }
    }

    /** The JVM's compiler directives, as {@code jcmd <pid> Compiler.directives_print} prints them. */
    static String installed() throws JMException {
        return diagnosticCommand("compilerDirectivesPrint");
    }

    private static String diagnosticCommand(String operation, String... arguments) throws JMException {
        Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                new Object[] {arguments}, new String[] {String[].class.getName()});
        return String.valueOf(answer);
    }
}
