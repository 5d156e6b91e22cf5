package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.model.experiment.CellResult;
import dev.qvit.records.EpochMetrics;
import dev.qvit.sessions.AblationGrid;
import dev.qvit.sessions.SessionsRoot;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Slurm cluster on this machine: the test writes a one-node configuration, starts munged, slurmctld and
 * slurmd (Debian's slurm-wlm and munge, which {@code .ci/run} installs), submits the sbatch array that
 * {@code qvit ablate --slurm} writes for a 4-cell grid, waits for it, collects the cells and compares them with the
 * same cells run here; then it stops the daemons it started. Where it cannot run (no packages, not root), it is
 * skipped and says why.
 */
@Tag("slurm")
class SlurmIntegrationTest {
    private static final String[] BINARIES = {"/usr/sbin/munged", "/usr/sbin/mungekey", "/usr/sbin/slurmctld",
        "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/sinfo"};
    private static Path dir;
    private static Map<String, String> env;
    private static final List<Process> daemons = new ArrayList<>();

    @BeforeAll
    static void startACluster() throws Exception {
        for (String b : BINARIES) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(b)), "skipped: " + b + " is missing (apt-get install "
                    + "slurm-wlm munge, as .ci/run does)");
        }
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: slurmd must run as root to start jobs, and this test runs as " + System.getProperty("user.name"));
        dir = Files.createTempDirectory("qvit-slurm");
        for (String d : new String[] {"munge", "state", "spool", "log"}) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.setPosixFilePermissions(dir.resolve("munge"), PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("munge/munge.sock");
        exec(List.of("/usr/sbin/mungekey", "--create", "--keyfile=" + dir.resolve("munge/munge.key"), "--bits=1024"));
        exec(List.of("/usr/sbin/munged", "--force", "--key-file=" + dir.resolve("munge/munge.key"), "--socket=" + socket,
                "--pid-file=" + dir.resolve("munge/munged.pid"), "--log-file=" + dir.resolve("munge/munged.log"),
                "--seed-file=" + dir.resolve("munge/seed")));
        String host = new String(new ProcessBuilder("hostname", "-s").start().getInputStream().readAllBytes()).trim();
        int cpus = Runtime.getRuntime().availableProcessors();
        long megabytes = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() / (1 << 20) * 9 / 10;
        String conf = String.join("\n", "ClusterName=qvittest", "SlurmctldHost=" + host, "SlurmUser=root",
                "SlurmdUser=root", "AuthType=auth/munge", "AuthInfo=socket=" + socket, "CredType=cred/munge",
                "SlurmctldPort=" + freePort(), "SlurmdPort=" + freePort(), "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"), "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"), "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("log/slurmd.log"), "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none", "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
                "JobAcctGatherType=jobacct_gather/none", "AccountingStorageType=accounting_storage/none",
                "MpiDefault=none", "ReturnToService=2", "NodeName=" + host + " CPUs=" + cpus + " RealMemory=" + megabytes
                        + " State=UNKNOWN",
                "PartitionName=qvit Nodes=ALL Default=YES MaxTime=INFINITE State=UP") + "\n";
        Files.writeString(dir.resolve("slurm.conf"), conf);
        env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
        daemons.add(daemon("/usr/sbin/slurmctld", "-D"));
        daemons.add(daemon("/usr/sbin/slurmd", "-D"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state = "";
        while (System.nanoTime() < deadline && !state.matches("(idle|mix|alloc)\\*?")) {
            Thread.sleep(500);
            state = output(List.of("/usr/bin/sinfo", "-h", "-o", "%t")).trim();
        }
        assertThat(state).as("the node's state in sinfo (logs in %s)", dir.resolve("log")).matches("(idle|mix|alloc)\\*?");
    }

    @AfterAll
    static void stopTheDaemons() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (dir != null && Files.exists(dir.resolve("munge/munged.pid"))) {
            new ProcessBuilder("/usr/sbin/munged", "--stop", "--socket=" + dir.resolve("munge/munge.sock"))
                    .redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFourCellArrayOnTheClusterGivesWhatTheSameCellsGiveHere() throws Exception {
        // given a tiny grid of 4 cells and a launcher the nodes can run (this test's class path; without the Vector
        // API module, so the nodes run the scalar kernels and this JVM the vector ones: the same numbers either way)
        Path launcher = dir.resolve("qvit");
        Files.writeString(launcher, "#!/bin/bash\nexport OMP_NUM_THREADS=1\nexec '" + Path.of(System.getProperty(
                "java.home"), "bin", "java") + "' -cp '" + System.getProperty("java.class.path")
                + "' dev.qvit.app.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] grid = {"ablate", "--teacher", "bundled", "--bits", "2", "--variants", "base,irm+dgd", "--seeds", "0,1",
            "--epochs", "1", "--batch", "32", "--probe-images", "8", "--data", "bundled", "--train-limit", "64",
            "--test-limit", "32", "--grid", "array4"};
        Path cluster = dir.resolve("shared/sessions");
        String before = System.setProperty("qvit.launcher", launcher.toString());
        CommandLineTest.Run written;
        try {
            written = run(concat(grid, "--sessions", cluster.toString(), "--slurm", "--cpus-per-task", "1",
                    "--mem", "3G", "--max-parallel", "2", "--time", "00:20:00"));
        } finally {
            if (before == null) {
                System.clearProperty("qvit.launcher");
            } else {
                System.setProperty("qvit.launcher", before);
            }
        }
        assertThat(written.exit()).as(written.err()).isZero();
        Path script = cluster.resolve(".grids/array4/ablate.sbatch");
        assertThat(Files.readString(script)).contains("#SBATCH --array=0-3%2");
        // when it is submitted and the array has run
        String job = output(List.of("/usr/bin/sbatch", "--parsable", script.toString())).trim();
        assertThat(job).matches("\\d+");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline && !output(List.of("/usr/bin/squeue", "-h", "-j", job)).isBlank()) {
            Thread.sleep(2000);
        }
        assertThat(output(List.of("/usr/bin/squeue", "-h", "-j", job))).as("the array is still queued").isBlank();
        // then collect finds all four cells, each in its own session
        CommandLineTest.Run collected = run("ablate", "--sessions", cluster.toString(), "--grid", "array4", "--collect");
        assertThat(collected.exit()).as(collected.err() + logs(cluster)).isZero();
        assertThat(collected.out()).as(logs(cluster)).contains("4 of 4 cells finished");
        // and the same cells run here, on 2 threads instead of 1, give the same numbers
        Path local = dir.resolve("local/sessions");
        CommandLineTest.Run here = run(concat(grid, "--sessions", local.toString(), "--threads", "2"));
        assertThat(here.exit()).as(here.err()).isZero();
        List<CellResult> onCluster = AblationGrid.open(new SessionsRoot(cluster), "array4").results();
        List<CellResult> onThisMachine = AblationGrid.open(new SessionsRoot(local), "array4").results();
        assertThat(onCluster).hasSize(4);
        for (int i = 0; i < 4; i++) {
            CellResult a = onCluster.get(i);
            CellResult b = onThisMachine.get(i);
            assertThat(a.key()).isEqualTo(b.key());
            assertThat(a.testAccuracy()).as(a.key()).isEqualTo(b.testAccuracy());
            assertThat(a.epochs().stream().map(EpochMetrics::testLoss).toList()).as(a.key())
                    .isEqualTo(b.epochs().stream().map(EpochMetrics::testLoss).toList());
            assertThat(a.blocks()).as(a.key()).isEqualTo(b.blocks());
        }
    }

    private CommandLineTest.Run run(String... args) {
        return CommandLineTest.run(new Outputs(dir.resolve("runs"), null), new WindowCheck(Map.of(), lib -> false, "x"),
                args);
    }

    private static String[] concat(String[] a, String... b) {
        return CommandLineTest.concat(a, b);
    }

    private static String logs(Path sessions) throws IOException {
        StringBuilder s = new StringBuilder("\n");
        Path logs = sessions.resolve(".grids/array4/logs");
        if (Files.isDirectory(logs)) {
            try (var files = Files.list(logs)) {
                for (Path f : files.sorted().toList()) {
                    s.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
                }
            }
        }
        return s.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process daemon(String... command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log").resolve(Path.of(command[0]).getFileName() + ".out").toFile());
        b.environment().putAll(env);
        return b.start();
    }

    private static void exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    private static String output(List<String> command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
