package dev.qvit.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The model module stays free of UI code: everything the UI shows leaves it as plain data. */
class ArchitectureTest {

    @Test
    void modelSourcesImportNoUiLibrary() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(ArchitectureTest::importsUi)
                    .map(Path::toString).toList();
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void snapshotRecordsHoldNoNd4jArrays() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/qvit/model/snapshot"))) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> read(p).contains("org.nd4j")).map(Path::toString).toList();
        }
        assertThat(offenders).isEmpty();
    }

    private static boolean importsUi(Path p) {
        String s = read(p);
        return s.contains("import javafx") || s.contains("import org.jfree") || s.contains("import org.controlsfx");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
