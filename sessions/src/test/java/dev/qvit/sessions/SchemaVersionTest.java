package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session written by schema 1 ({@code ./qvit quantize ... --session v1-student}, kept under test resources) opens
 * with this version and every later one: a schema change must migrate it or this test fails. A session of a newer
 * schema is refused with its version, and nothing is written.
 */
class SchemaVersionTest {
    @TempDir
    Path dir;

    private Path fixture() throws Exception {
        Path source = Path.of(getClass().getResource("v1/v1-student/session.json").toURI()).getParent();
        Path copy = dir.resolve("v1-student");
        try (Stream<Path> s = Files.walk(source)) {
            for (Path p : s.toList()) {
                Path t = copy.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return copy;
    }

    @Test
    void aSessionOfSchemaOneOpensWithEverythingItRecorded() throws Exception {
        fixture();
        SessionsRoot root = new SessionsRoot(dir);
        try (SessionView v = root.view("v1-student")) {
            assertThat(v.spec().label()).isEqualTo("W2A2 IRM(distribution)+DGD");
            assertThat(v.state()).isEqualTo(MetricsStore.State.FINISHED);
            assertThat(v.steps()).hasSize(8).allMatch(s -> s.distillation() != null);
            assertThat(v.epochs()).hasSize(2);
            assertThat(v.probes()).hasSize(2);
            assertThat(v.probe(v.probes().get(1)).model().quantized()).isTrue();
            assertThat(v.lastCheckpoint().orElseThrow().progress().step()).isEqualTo(8);
            assertThat(TeacherFile.read(v.dir()).model().config()).isEqualTo(v.spec().model());
        }
        try (Session s = root.openForWriting("v1-student", 60)) {
            assertThat(s.spec().kind()).isEqualTo(dev.qvit.model.experiment.ExperimentSpec.Kind.STUDENT);
        }
    }

    @Test
    void aNewerMetricsSchemaIsRefusedWithItsVersionAndLeftAlone() throws Exception {
        Path session = fixture();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + session.resolve("metrics.sqlite"));
             Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE meta SET value = '2' WHERE key = 'schemaVersion'");
        }
        byte[] before = Files.readAllBytes(session.resolve("metrics.sqlite"));
        SessionsRoot root = new SessionsRoot(dir);
        assertThatThrownBy(() -> root.view("v1-student")).isInstanceOf(SessionException.class)
                .hasMessageEndingWith("metrics.sqlite was written by a newer workbench (schema 2; this one reads up to 1)");
        assertThatThrownBy(() -> root.openForWriting("v1-student", 60)).isInstanceOf(SessionException.class)
                .hasMessageContaining("newer workbench");
        assertThat(Files.readAllBytes(session.resolve("metrics.sqlite"))).isEqualTo(before);
        assertThat(root.list()).singleElement().satisfies(s -> assertThat(s.problem()).contains("schema 2"));
    }

    @Test
    void aNewerSessionOrSpecSchemaIsRefusedWithItsVersion() throws Exception {
        Path session = fixture();
        Path info = session.resolve("session.json");
        Files.writeString(info, Files.readString(info).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 3"));
        assertThatThrownBy(() -> new SessionsRoot(dir).view("v1-student"))
                .hasMessageContaining("session.json was written by a newer workbench (schema 3; this one reads up to 1)");
        Files.writeString(info, Files.readString(info).replace("\"schemaVersion\" : 3", "\"schemaVersion\" : 1"));
        Path spec = session.resolve("spec.json");
        Files.writeString(spec, Files.readString(spec).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 2"));
        assertThatThrownBy(() -> new SessionsRoot(dir).view("v1-student"))
                .hasMessageContaining("spec.json: it was written by a newer workbench (schema 2; this one reads 1)");
    }

}
