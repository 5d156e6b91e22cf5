package dev.qvit.app.cli;

import static dev.qvit.app.cli.CommandLineTest.SMALL;
import static dev.qvit.app.cli.CommandLineTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.app.cli.CommandLineTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sessions, export and resume on the command line, and their refusals. */
class SessionCommandsTest {
    @TempDir
    Path home;

    private Run run(String... args) {
        return CommandLineTest.run(new Outputs(home.resolve("runs"), null), new WindowCheck(Map.of(), lib -> true, "x"),
                args);
    }

    @Test
    void aTrainedSessionIsListedExportedAsCsvAndTimmAndEvaluatedFromThatFile() throws Exception {
        Run train = run(concat(new String[] {"train", "--session", "s1"}, concat(SMALL, "--data", "bundled",
                "--train-limit", "256", "--test-limit", "64", "--epochs", "2", "--batch", "64")));
        assertThat(train.exit()).as(train.err()).isZero();
        Run list = run("sessions");
        assertThat(list.out()).containsPattern("s1 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d custom +FP +- +- +\\d+\\.\\d\\d% +8 +finished")
                .contains("1 session in " + home.resolve("sessions"));
        Path out = home.resolve("export");
        Run export = run("export", "s1", "--csv", out.toString(), "--timm", out.resolve("s1.safetensors").toString());
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(Files.readAllLines(out.resolve("steps.csv"))).hasSize(9).first().asString()
                .startsWith("step,epoch,loss,task_loss,accuracy");
        assertThat(Files.readAllLines(out.resolve("epochs.csv"))).hasSize(3);
        Run eval = run("eval", "--model", out.resolve("s1.safetensors").toString(), "--data", "bundled",
                "--test-limit", "64");
        assertThat(eval.exit()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("(64 test images): accuracy");
        // the accuracy of the exported model is the session's last epoch's
        String sessionAccuracy = list.out().replaceAll("(?s).*?(\\d+\\.\\d\\d)%.*", "$1");
        assertThat(eval.out()).contains("accuracy " + sessionAccuracy + "%");
        // and what cannot be done is said in one sentence
        assertThat(run("resume", "s1").err()).contains("session s1 has finished: there is nothing to resume");
        assertThat(run("resume", "../s1").err()).contains("'../s1' is not a session id");
        Run tb = run("export", "s1", "--tensorboard", home.resolve("tb").toString());
        assertThat(tb.exit()).as(tb.err()).isZero();
        try (var files = Files.list(home.resolve("tb"))) {
            assertThat(files.toList()).singleElement().satisfies(f -> assertThat(f.getFileName().toString())
                    .startsWith("events.out.tfevents."));
        }
        assertThat(run("export", "s1").err()).contains("say what to export: --csv DIR, --timm FILE and/or --tensorboard DIR");
        assertThat(run("export", "s1", "--csv", out.toString()).err()).contains("already exists: pass --force");
        assertThat(run("resume", "nope").err()).contains("there is no session nope in");
    }
}
