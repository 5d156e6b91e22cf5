package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
    static final String[] SMALL = {"--dim", "16", "--depth", "1", "--heads", "2", "--mlp", "32", "--threads", "2"};

    record Run(int exit, String out, String err) {
    }

    /** A window check that must stop every launch: the tests never start the real window. */
    static WindowLauncher noWindow(WindowCheck check) {
        return new WindowLauncher(check, () -> {
            throw new AssertionError("the test started the workbench window");
        });
    }

    /** Runs a command with default outputs in {@code outputs} and {@code window} as the workbench window. */
    static Run run(Outputs outputs, WindowCheck window, String... args) {
        PrintStream previous = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        // built after the redirection: picocli's execution strategy keeps the System.out of its creation
        CommandLine cli = QvitCommand.commandLine(new QvitCommand(outputs, noWindow(window)));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        try {
            int exit = cli.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(previous);
        }
    }

    @TempDir
    Path home;

    private Run run(String... args) {
        return run(new Outputs(home.resolve("runs"), null), new WindowCheck(java.util.Map.of(), lib -> false, "x"), args);
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void evalPredictsTheImagesOfAFolderWithAnRgbModelAndRefusesAGreyOne() {
        Path resources = Path.of("..", "model", "src", "test", "resources");
        Run eval = run("eval", "--model", resources.resolve("parity/rgb/deit224.safetensors").toString(), "--images",
                resources.resolve("images/rgb").toString());
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("ants/wide.png: ", "bees/palette.png: ", "6 images, 2 classes", "top-1 ",
                "note: 2 class folders for a model of 10 classes");
        Run grey = run("eval", "--model", Path.of("..", "checkpoints", "teacher-tiny.qvit").toString(), "--images",
                resources.resolve("images/rgb").toString());
        assertThat(grey.exit()).isNotZero();
        assertThat(grey.err()).contains("reads 1-channel images").doesNotContain("Exception");
    }

    @Test
    void ptqQuantizesAnRgbModelOnAFolderSavesItAndFig1ComparesItsStudents(@TempDir Path dir) {
        Path resources = Path.of("..", "model", "src", "test", "resources");
        String deit = resources.resolve("parity/rgb/deit224.safetensors").toString();
        String images = resources.resolve("images/rgb").toString();
        Path student = dir.resolve("student.qvit");
        Run ptq = run("ptq", "--model", deit, "--heads", "2", "--images", images, "--bits", "4", "--irm",
                "distribution", "--out", student.toString());
        assertThat(ptq.exit()).as(ptq.err()).isZero();
        assertThat(ptq.out()).contains("W4A4 PTQ IRM(distribution) calibrated on 6 images", "top-1 on 6 images: FP ",
                "note: 2 class folders for a model of 10 classes", "| 1 | ", "saved " + student);
        Run eval = run("eval", "--model", student.toString(), "--images", images);
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("6 images, 2 classes");
        Run again = run("ptq", "--model", deit, "--images", images, "--out", student.toString());
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("already exists");
        Run token = run("ptq", "--model", deit, "--images", images, "--irm", "token");
        assertThat(token.exit()).isNotZero();
        assertThat(token.err()).contains("token form").doesNotContain("Exception");
        Run fig1 = run("fig1", "--teacher", deit, "--folder", images, "--bits", "3");
        assertThat(fig1.exit()).as(fig1.err()).isZero();
        assertThat(fig1.out()).contains("over 6 images of", "(W3A3)", "W3A3 IRM(distribution)", "| 1 | ");
    }

    @Test
    void trainThenEvalOnTheBundledSubset(@TempDir Path dir) {
        // given a tiny custom model and a slice of the bundled data
        Path model = dir.resolve("t.qvit");
        Run train = run(concat(new String[] {"train"}, concat(SMALL, "--data", "bundled", "--train-limit", "256",
                "--test-limit", "64", "--epochs", "2", "--batch", "32", "--out", model.toString())));
        // then it prints one line per epoch and saves a checkpoint that eval can read
        assertThat(train.exit()).as(train.err()).isZero();
        assertThat(train.out()).contains("epoch   1/2").contains("epoch   2/2").contains("img/s").contains("ETA");
        assertThat(Files.exists(model)).isTrue();
        Run eval = run("eval", "--model", model.toString(), "--data", "bundled", "--test-limit", "64");
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("accuracy").contains("64 test images");
    }

    @Test
    void quantizeTrainsAStudentWithIrmAndDgdFromATeacher(@TempDir Path dir) {
        // given a teacher trained for one short epoch
        Path teacher = dir.resolve("teacher.qvit");
        Path student = dir.resolve("student.qvit");
        assertThat(run(concat(new String[] {"train"}, concat(SMALL, "--data", "bundled", "--train-limit", "256",
                "--test-limit", "64", "--epochs", "1", "--batch", "32", "--out", teacher.toString()))).exit()).isZero();
        // when a 2-bit student is trained with IRM and DGD
        Run q = run("quantize", "--teacher", teacher.toString(), "--bits", "2", "--irm", "--dgd", "--lambda", "0.1",
                "--data", "bundled", "--train-limit", "128", "--test-limit", "64", "--epochs", "1", "--batch", "32",
                "--threads", "2", "--out", student.toString());
        // then it reports progress and saves a student that eval can read
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(q.out()).as("the IRM form defaults to the paper's and is named in the label")
                .contains("W2A2 IRM(distribution)+DGD, lambda 0.1").contains("epoch   1/1");
        Run eval = run("eval", "--model", student.toString(), "--data", "bundled", "--test-limit", "64");
        assertThat(eval.exit()).as(eval.err()).isZero();
        // and bad settings are one sentence each
        assertThat(run("quantize", "--teacher", teacher.toString(), "--bits", "5", "--data", "bundled").err())
                .contains("bits must be 2, 3, 4 or 8, got 5");
        assertThat(run("quantize", "--teacher", teacher.toString(), "--dgd", "--lambda", "-1", "--data", "bundled").err())
                .contains("λ (the DGD weight) must be between 0 and 100, got -1.0");
        assertThat(run("quantize", "--teacher", teacher.toString(), "--config", "small", "--data", "bundled").err())
                .contains("not small");
        assertThat(run("quantize", "--teacher", student.toString(), "--data", "bundled").err())
                .contains("not a full-precision teacher");
    }

    @Test
    void quantizeTakesTheBundledTeacherByName(@TempDir Path dir) {
        // the guided demo's students name this command; "bundled" is the tiny teacher shipped in the jar
        Run q = run("quantize", "--teacher", "bundled", "--bits", "2", "--data", "bundled", "--train-limit", "128",
                "--test-limit", "64", "--epochs", "1", "--out", dir.resolve("s.qvit").toString());
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(q.out()).contains("quantizing from bundled").contains("W2A2 baseline");
        assertThat(run("quantize", "--teacher", dir.resolve("none.qvit").toString(), "--data", "bundled").err())
                .contains("No checkpoint file at");
    }

    @Test
    void ablationWritesTablesResumesAndFig1ComparesStudents(@TempDir Path dir) throws Exception {
        // given a short teacher
        Path teacher = dir.resolve("teacher.qvit");
        assertThat(run(concat(new String[] {"train"}, concat(SMALL, "--data", "bundled", "--train-limit", "256",
                "--test-limit", "64", "--epochs", "1", "--batch", "32", "--out", teacher.toString()))).exit()).isZero();
        Path sessions = dir.resolve("sessions");
        String[] grid = {"ablate", "--teacher", teacher.toString(), "--bits", "2", "--variants", "base,irm+dgd",
                "--seeds", "0", "--epochs", "1", "--batch", "32", "--probe-images", "16", "--data", "bundled",
                "--train-limit", "64", "--test-limit", "32", "--threads", "2", "--sessions", sessions.toString(),
                "--grid", "g", "--out", dir.resolve("abl").toString()};
        // when the grid runs, then runs again (its tables written over with --force)
        Run first = run(grid);
        Run second = run(concat(grid, "--force"));
        // then both cells ran into sessions of their own, and the second run had nothing left to do
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("grid g: 2 cells (0 finished)").contains("-> session g.w2-base-seed0");
        assertThat(second.out()).contains("grid g: 2 cells (2 finished)").doesNotContain("== cell");
        assertThat(sessions.resolve("g.w2-irm+dgd-seed0/cell.json")).exists();
        // and the tables have the statistics, in the grid's folder and in --out
        String md = Files.readString(dir.resolve("abl/results.md"));
        assertThat(md).isEqualTo(Files.readString(sessions.resolve(".grids/g/results.md")))
                .contains("| W2A2 IRM(distribution)+DGD | 1 |").contains("Δ vs baseline (95 % CI)")
                .contains("σ_q S/T");
        assertThat(Files.readAllLines(dir.resolve("abl/cells.csv"))).hasSize(3)
                .anyMatch(line -> line.startsWith("W2A2 IRM(distribution)+DGD,2,irm+dgd,0,distribution,"));
        assertThat(Files.readAllLines(dir.resolve("abl/results.csv"))).hasSize(3);
        assertThat(Files.readAllLines(dir.resolve("abl/blocks.csv"))).hasSize(1 + 2 * 1);
        // and --collect gathers them without running anything
        Run collect = run("ablate", "--sessions", sessions.toString(), "--grid", "g", "--collect");
        assertThat(collect.exit()).as(collect.err()).isZero();
        assertThat(collect.out()).contains("2 of 2 cells finished");
        // and fig1 compares a baseline and an IRM student block by block
        Path base = dir.resolve("base.qvit");
        Path irm = dir.resolve("irm.qvit");
        for (String[] v : new String[][] {{base.toString()}, {irm.toString(), "--irm"}}) {
            String[] args = concat(new String[] {"quantize", "--teacher", teacher.toString(), "--bits", "4", "--data",
                    "bundled", "--train-limit", "64", "--test-limit", "32", "--epochs", "1", "--batch", "32", "--out"}, v);
            assertThat(run(args).exit()).isZero();
        }
        Run fig1 = run("fig1", "--teacher", teacher.toString(), "--baseline", base.toString(), "--irm", irm.toString(),
                "--data", "bundled", "--images", "16");
        assertThat(fig1.exit()).as(fig1.err()).isZero();
        assertThat(fig1.out()).contains("| 0 |").contains("FP mu / sigma");
    }

    @Test
    void invalidModelSizeIsOneSentence() {
        Run r = run("train", "--dim", "64", "--heads", "5", "--data", "bundled");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not divisible by the number of heads 5").doesNotContain("Exception");
    }

    @Test
    void outOfRangeTrainingSettingIsRefusedWithTheReason() {
        Run r = run("train", "--lr", "-1", "--data", "bundled");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("learning rate must be in (0, 1]");
    }

    @Test
    void missingDataFolderTellsHowToGetIt(@TempDir Path dir) {
        Run r = run("train", "--data", dir.resolve("nothing").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("apt-get install dataset-fashion-mnist");
    }

    @Test
    void corruptCheckpointIsAClearMessage(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.qvit");
        Files.writeString(bad, "not a model");
        Run r = run("eval", "--model", bad.toString(), "--data", "bundled");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not a Q-ViT checkpoint");
    }

    @Test
    void benchPrintsOneJsonLineWithTheRequiredFields() throws Exception {
        Run r = run(concat(new String[] {"bench", "--batch", "16", "--warmup", "1", "--steps", "2"}, SMALL));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().strip());
        for (String field : new String[] {"config", "batch", "threads", "fp_train_step_ms", "fp_infer_batch_ms",
                "fp_train_img_s", "gemm_gflops", "fp_train_gflops", "qat_step_ms", "qat_infer_batch_ms", "qat_gflops",
                "gemm_gflops_samples", "probe_ms", "probe_percent_of_step", "kernels", "qat_probed_img_s",
                "qat_probed_percent_of_headless"}) {
            assertThat(json.has(field)).as(field).isTrue();
        }
        assertThat(json.get("fp_train_step_ms").asDouble()).isPositive();
        // the GEMM rate is the best of its samples, spread over the run
        assertThat(json.get("gemm_gflops_samples")).hasSize(3);
        double best = 0;
        for (JsonNode sample : json.get("gemm_gflops_samples")) {
            best = Math.max(best, sample.asDouble());
        }
        assertThat(json.get("gemm_gflops").asDouble()).isEqualTo(best);
        assertThat(json.get("probe_ms").asDouble()).isPositive();
        // the test JVM runs with the Vector API, as ./qvit does: the vector kernels, never a fallback
        assertThat(json.get("kernels").asText()).isEqualTo(dev.qvit.model.nn.fused.Kernels.describe())
                .startsWith("vector (").doesNotContain("fallback");
        assertThat(json.get("config").asText()).isEqualTo("custom");
    }
}
