package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of a real session truncated, flipped, replaced by foreign bytes or given a huge declared length: the
 * session either still reads or is refused in one sentence naming the file; other sessions still list and open;
 * nothing on disk changes.
 */
class SessionFaultTest {
    @TempDir
    static Path shared;
    private static Path original;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordASession() throws Exception {
        SessionsRoot root = new SessionsRoot(shared);
        try (Session s = root.create(Runs.student(), "original", null, 0)) {
            s.keepTeacher(Runs.TEACHER.model(), Runs.TEACHER.testAccuracy());
            Runs.run(s, Runs.student(), null, -1);
            s.writeNotes("# notes\nfine");
        }
        original = shared.resolve("original");
    }

    /** The corruptions of one file: each a name and the bytes that replace the file's. */
    private static Map<String, byte[]> corruptions(byte[] bytes, Random random) {
        Map<String, byte[]> out = new TreeMap<>();
        for (int cut : new int[] {0, 1, 7, 8, 9, bytes.length / 3, bytes.length / 2, bytes.length - 1}) {
            if (cut >= 0 && cut < bytes.length) {
                out.put("truncated at " + cut, java.util.Arrays.copyOf(bytes, cut));
            }
        }
        for (int i = 0; i < 12; i++) {
            byte[] b = bytes.clone();
            int at = i < 6 ? random.nextInt(Math.min(b.length, 600)) : random.nextInt(b.length);   // header and anywhere
            b[at] ^= (byte) (1 + random.nextInt(255));
            out.put("byte " + at + " flipped", b);
        }
        out.put("foreign: PNG", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        out.put("foreign: JSON array", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8));
        out.put("foreign: text", "hello".getBytes(StandardCharsets.UTF_8));
        byte[] huge = bytes.clone();
        if (huge.length >= 8) {
            java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
            out.put("huge declared header length", huge);
        }
        return out;
    }

    @Test
    void everyCorruptionOfEveryFileIsReadOrRefusedInOneSentenceAndNothingChanges() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(original)) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(".lock")).sorted()
                    .toList();
        }
        assertThat(files).extracting(f -> original.relativize(f).toString()).contains("session.json", "spec.json",
                "metrics.sqlite", "notes.md", "teacher.safetensors").anyMatch(f -> f.startsWith("checkpoints/"))
                .anyMatch(f -> f.startsWith("probes/"));
        Random random = new Random(7);
        int refused = 0;
        int cases = 0;
        for (Path file : files) {
            String relative = original.relativize(file).toString();
            for (Map.Entry<String, byte[]> c : corruptions(Files.readAllBytes(file), random).entrySet()) {
                Path root = dir.resolve("case" + cases++);
                copy(original, root.resolve("victim"));
                copy(original, root.resolve("good"));
                Files.write(root.resolve("victim").resolve(relative), c.getValue());
                Map<String, String> before = hashes(root);
                String what = relative + " " + c.getKey();
                String problem = readEverything(root.resolve("victim"));
                if (problem != null) {
                    refused++;
                    assertThat(problem).as(what).doesNotContain("\n").contains(root.resolve("victim").toString());
                }
                SessionsRoot sessions = new SessionsRoot(root);
                List<SessionSummary> listed = sessions.list();
                assertThat(listed).as(what).hasSize(2);
                assertThat(listed).as(what).filteredOn(s -> s.id().equals("good")).singleElement()
                        .satisfies(s -> assertThat(s.problem()).isNull());
                assertThat(readEverything(root.resolve("good"))).as(what + ": the other session").isNull();
                assertThat(hashes(root)).as(what + ": nothing on disk changed").isEqualTo(before);
                deleteTree(root);
            }
        }
        assertThat(refused).as("premise: most corruptions are caught").isGreaterThan(cases / 2);
    }

    /** Reads every part of a session; null when all of it read, else the refusal's message. */
    private static String readEverything(Path session) {
        try (SessionView v = SessionView.open(session)) {
            v.spec();
            v.state();
            v.steps();
            v.epochs();
            v.notes();
            for (MetricsStore.FileRow p : v.probes()) {
                v.probe(p);
            }
            v.lastCheckpoint();
            TeacherFile.read(session);
            return null;
        } catch (SessionException e) {
            return e.getMessage();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals(".lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(".lock"))
                    .toList()) {
                out.put(root.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
