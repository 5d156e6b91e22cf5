package dev.qvit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.app.cli.CommandLineTest.Run;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.vit.VitConfig;
import dev.qvit.model.train.TrainingConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the command line accepts and refuses, each refusal one sentence. */
class CommandLineRulesTest {
    @TempDir
    Path dir;

    private Run run(String... args) {
        return CommandLineTest.run(new Outputs(dir.resolve("runs"), null), new WindowCheck(Map.of(), lib -> true, "x"), args);
    }

    @Test
    void aValueThatIsNotANumberIsOneSentenceNotTheUsageText() {
        Run r = run("train", "--lr", "nan", "--data", "bundled");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("qvit: Invalid value for option '--lr': 'nan' is not a double; "
                + "'qvit train --help' lists the options");
    }

    @Test
    void theDemosTrainingImagesAreCheckedBeforeAWindowOpens() {
        Run r = run("demo", "--train-images", "7000");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("qvit demo: --train-images must be 0 (all) or 2 to 6000, got 7000.");
    }

    @Test
    void anUnknownOptionIsOneLineWithASuggestion() {
        Run r = run("quantize", "--teacher", "t.qvit", "--lamda", "0.1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("Unknown options: '--lamda', '0.1'").contains("did you mean --lambda");
    }

    @Test
    void optionsOfAMethodThatIsOffAreRefusedNotIgnored() {
        Run lambda = run("quantize", "--teacher", "t.qvit", "--lambda", "0.5", "--data", "bundled");
        assertThat(lambda.exit()).isEqualTo(2);
        assertThat(lambda.err()).contains("--lambda sets DGD, which is off: add --dgd, or leave --lambda out");
        assertThat(run("quantize", "--teacher", "t.qvit", "--irm-form", "token").err())
                .contains("--irm-form sets IRM, which is off: add --irm");
        assertThat(run("quantize", "--teacher", "t.qvit", "--dgd-norm", "layer").err()).contains("add --dgd");
        assertThat(run("ablate", "--teacher", "t.qvit", "--variants", "base,irm", "--lambda", "0.3").err())
                .contains("--lambda has no effect: none of the variants [base, irm] uses DGD");
    }

    @Test
    void aGridNamesItsCellsSessionsItself() {
        Run r = run("ablate", "--teacher", "t.qvit", "--session", "mine");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("qvit: each cell of a grid is a session named after the grid and the "
                + "cell: --session and --no-session do not apply");
        assertThat(run("ablate", "--teacher", "t.qvit", "--checkpoint-every", "-1").err())
                .contains("--checkpoint-every must be 0 (epoch ends only) or more, got -1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "quantize", "ablate", "fig1", "eval", "bench", "screenshots", "demo"})
    void everyCommandPrintsTheVersion(String command) {
        Run r = run(command, "--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo(QvitCommand.VERSION);
    }

    @Test
    void theWindowAndTheCommandLineShareOneEpochsLimit() {
        int max = TrainingConfig.MAX_EPOCHS;
        assertThat(max).isEqualTo(1000);
        assertThat(run("train", "--epochs", String.valueOf(max + 1), "--data", "bundled").err())
                .contains("epochs must be between 1 and " + max + ", got " + (max + 1));
        ExperimentSpec tooMany = ExperimentSpec.teacher(VitConfig.tiny(), ExperimentSpec.Data.all("bundled"), max + 1, 0);
        assertThat(tooMany.problems()).containsEntry("epochs", "epochs must be between 1 and " + max + ", got " + (max + 1));
        assertThat(tooMany.withTraining(tooMany.training().withEpochs(max)).problems()).isEmpty();
    }

    @Test
    void evalReadsOnlyTheTestSet() throws Exception {
        // given a folder with the test files alone
        Path data = dir.resolve("test-only");
        Files.createDirectories(data);
        for (String name : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            try (InputStream in = getClass().getResourceAsStream("/dev/qvit/data/fashion-mnist-subset/" + name)) {
                Files.copy(in, data.resolve(name));
            }
        }
        Path teacher = dir.resolve("t.qvit");
        assertThat(run(CommandLineTest.concat(new String[] {"train", "--data", "bundled", "--train-limit", "64",
                "--test-limit", "32", "--epochs", "1", "--batch", "32", "--out", teacher.toString()},
                CommandLineTest.SMALL)).exit()).isZero();
        // when the model is evaluated on it
        Run r = run("eval", "--model", teacher.toString(), "--data", data.toString(), "--test-limit", "50");
        // then no training file is needed, and eval has no option for training images
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("(50 test images)");
        assertThat(run("eval", "--model", teacher.toString(), "--train-limit", "5").err())
                .contains("Unknown option").contains("'--train-limit'");
    }
}
