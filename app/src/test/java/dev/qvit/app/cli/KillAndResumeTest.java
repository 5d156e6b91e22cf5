package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.experiment.TrainingState;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import dev.qvit.sessions.MetricsStore;
import dev.qvit.sessions.SessionView;
import dev.qvit.sessions.SessionsRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process killed with SIGKILL after its first checkpoint: its session still opens, says it crashed
 * and keeps everything up to that checkpoint; {@code qvit resume} in a new process ends it with the weights and the
 * numbers of the same run never interrupted, bit for bit (timing aside).
 */
class KillAndResumeTest {
    private static final String[] RUN = {"train", "--dim", "32", "--depth", "2", "--heads", "2", "--mlp", "64",
        "--data", "bundled", "--train-limit", "3000", "--test-limit", "200", "--epochs", "2", "--batch", "64",
        "--checkpoint-every", "4", "--threads", "2"};
    @TempDir
    Path dir;

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx1g", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.qvit.app.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--sessions", dir.resolve("sessions").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(args[args.length - 1] + "-" + System.nanoTime() + ".log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("QVIT_HOME", dir.toString());
        return pb.start();
    }

    private static String[] with(String[] base, String... more) {
        return CommandLineTest.concat(base, more);
    }

    @Test
    void aKilledRunResumesToTheSameWeightsAndNumbersAsAnUninterruptedOne() throws Exception {
        SessionsRoot root = new SessionsRoot(dir.resolve("sessions"));
        // given an uninterrupted run
        Process whole = start(with(RUN, "--session", "whole"));
        assertThat(whole.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(whole.exitValue()).as(logs()).isZero();
        // when the same run is killed with SIGKILL as soon as its first checkpoint is recorded
        Process killed = start(with(RUN, "--session", "killed"));
        long checkpointStep = waitForFirstCheckpoint(root, killed);
        killed.destroyForcibly();                                 // SIGKILL on Linux: no shutdown hook runs
        assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();
        // then the session opens, says it crashed, and holds every step up to its last checkpoint
        long lastCheckpoint;
        try (SessionView v = root.view("killed")) {
            assertThat(v.state()).as("killed mid-run (premise: it had not finished)").isEqualTo(MetricsStore.State.CRASHED);
            lastCheckpoint = v.checkpoints().get(v.checkpoints().size() - 1).step();
            assertThat(lastCheckpoint).isGreaterThanOrEqualTo(checkpointStep);
            assertThat(v.steps().size()).isGreaterThanOrEqualTo((int) lastCheckpoint);
            assertThat(v.lastCheckpoint()).isPresent();
        }
        // and qvit resume in a new process ends it
        Process resume = start("resume", "killed");
        assertThat(resume.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(resume.exitValue()).as(logs()).isZero();
        assertThat(logs()).contains("resuming session killed from step " + lastCheckpoint);
        try (SessionView a = root.view("whole"); SessionView b = root.view("killed")) {
            assertThat(b.state()).isEqualTo(MetricsStore.State.FINISHED);
            TrainingState endA = a.lastCheckpoint().orElseThrow();
            TrainingState endB = b.lastCheckpoint().orElseThrow();
            assertThat(endB.progress().step()).isEqualTo(endA.progress().step());
            assertThat(endB).as("weights, optimizer moments and quantizers, bit for bit").isEqualTo(endA);
            List<StepMetrics> sa = a.steps();
            List<StepMetrics> sb = b.steps();
            assertThat(sb).hasSameSizeAs(sa);
            for (int i = 0; i < sa.size(); i++) {
                assertThat(sb.get(i).loss()).as("loss of step %d", i).isEqualTo(sa.get(i).loss());
                assertThat(sb.get(i).gradientNorm()).as("gradient norm of step %d", i).isEqualTo(sa.get(i).gradientNorm());
            }
            List<EpochMetrics> ea = a.epochs();
            List<EpochMetrics> eb = b.epochs();
            assertThat(eb).hasSameSizeAs(ea);
            for (int i = 0; i < ea.size(); i++) {
                assertThat(eb.get(i).trainLoss()).isEqualTo(ea.get(i).trainLoss());
                assertThat(eb.get(i).testAccuracy()).isEqualTo(ea.get(i).testAccuracy());
            }
        }
    }

    private static long waitForFirstCheckpoint(SessionsRoot root, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(root.dir().resolve("killed").resolve("session.json"))) {
                try (SessionView v = root.view("killed")) {
                    if (!v.checkpoints().isEmpty()) {
                        return v.checkpoints().get(0).step();
                    }
                } catch (dev.qvit.sessions.SessionException e) {
                    // the folder is being created: try again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no checkpoint before the process ended: " + logs0(root.dir().getParent()));
    }

    private String logs() throws IOException {
        return logs0(dir);
    }

    private static String logs0(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                sb.append(f.getFileName()).append(":\n").append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
