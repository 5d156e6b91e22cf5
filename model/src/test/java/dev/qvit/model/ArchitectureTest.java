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
        List<Path> sources = javaFiles("src/main/java");
        // premise: the walk sees the module's sources (an empty walk would pass any rule)
        assertThat(sources).hasSizeGreaterThan(50).anyMatch(p -> p.endsWith("VisionTransformer.java"));
        assertThat(sources.stream().filter(ArchitectureTest::importsUi).map(Path::toString)).isEmpty();
    }

    @Test
    void snapshotRecordsHoldNoNd4jArrays() throws IOException {
        List<Path> records = javaFiles("src/main/java/dev/qvit/model/snapshot");
        assertThat(records).hasSizeGreaterThan(5).anyMatch(p -> p.endsWith("ModelSnapshot.java"));
        assertThat(records.stream().filter(p -> read(p).contains("org.nd4j")).map(Path::toString)).isEmpty();
    }

    private static List<Path> javaFiles(String folder) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(folder))) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
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
