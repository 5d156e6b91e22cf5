package dev.qvit.app.cli;

import static dev.qvit.app.cli.CommandLineTest.SMALL;
import static dev.qvit.app.cli.CommandLineTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qvit.app.cli.CommandLineTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No command writes over what the user has: default outputs in the runs folder, --force, never a project file. */
class OutputSafetyTest {
    private static final String[] QUICK = {"--data", "bundled", "--train-limit", "64", "--test-limit", "32", "--epochs",
            "1", "--batch", "32"};
    @TempDir
    Path dir;
    private Path runs;
    private Path project;
    private Path shippedTeacher;

    @BeforeEach
    void aProjectWithAShippedTeacherAndPictures() throws Exception {
        runs = dir.resolve("home/qvit/runs");
        project = dir.resolve("project");
        shippedTeacher = project.resolve("checkpoints/teacher-custom.qvit");
        Files.createDirectories(shippedTeacher.getParent());
        Files.writeString(shippedTeacher, "shipped");
        Files.createDirectories(project.resolve("docs"));
        Files.writeString(project.resolve("docs/workbench-teacher.png"), "picture");
    }

    private Run run(String... args) {
        return CommandLineTest.run(new Outputs(runs, project), new WindowCheck(Map.of(), lib -> true, "x"), args);
    }

    @Test
    void trainWithoutOutKeepsASessionBesideTheRunsFolderAndLeavesTheShippedTeacher() throws Exception {
        // when a teacher is trained without --out
        Run r = run(concat(concat(new String[] {"train", "--session", "first"}, SMALL), QUICK));
        // then it is kept as a session in the user's sessions folder, no model file is written, the shipped file is untouched
        assertThat(r.exit()).as(r.err()).isZero();
        Path sessions = runs.resolveSibling("sessions");
        assertThat(sessions.resolve("first").resolve("metrics.sqlite")).exists();
        assertThat(r.out()).contains("-> session first in " + sessions);
        assertThat(runs.resolve("teacher-custom.qvit")).doesNotExist();
        assertThat(Files.readString(shippedTeacher)).isEqualTo("shipped");
        // and with --no-session it is saved in the user's runs folder instead
        Run file = run(concat(concat(new String[] {"train", "--no-session"}, SMALL), QUICK));
        assertThat(file.exit()).as(file.err()).isZero();
        assertThat(runs.resolve("teacher-custom.qvit")).exists();
        assertThat(file.out()).contains("-> " + runs.resolve("teacher-custom.qvit"));
        // and a session id that is taken is refused before training
        Run again = run(concat(concat(new String[] {"train", "--session", "first"}, SMALL), QUICK));
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("a session first already exists in " + sessions + ": choose another name");
    }

    @Test
    void anExistingCheckpointIsRefusedBeforeTrainingAndWrittenOverOnlyWithForce() throws Exception {
        // given a checkpoint of the user's
        Path mine = dir.resolve("mine.qvit");
        Files.writeString(mine, "mine");
        // when a run would save there
        Run refused = run(concat(concat(new String[] {"train", "--out", mine.toString()}, SMALL), QUICK));
        // then nothing trains, the file is kept and the sentence says how to write over it
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains(mine + " already exists: pass --force").doesNotContain("Exception");
        assertThat(refused.out()).doesNotContain("epoch");
        assertThat(Files.readString(mine)).isEqualTo("mine");
        // and with --force it is replaced by a checkpoint
        Run forced = run(concat(concat(new String[] {"train", "--force", "--out", mine.toString()}, SMALL), QUICK));
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(Files.size(mine)).isGreaterThan(1000);
    }

    @Test
    void aFolderGivenAsTheCheckpointIsRefusedBeforeAnyEpoch() {
        Run r = run(concat(concat(new String[] {"train", "--out", dir.toString()}, SMALL), QUICK));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(dir + " is a folder: give the file to save to").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("epoch");
    }

    @Test
    void aFileOfTheProjectIsNeverWrittenOverEvenWithForce() throws Exception {
        Run train = run(concat(concat(new String[] {"train", "--force", "--out", shippedTeacher.toString()}, SMALL), QUICK));
        assertThat(train.exit()).isEqualTo(2);
        assertThat(train.err()).contains("is a file of the Q-ViT project").contains("even with --force");
        assertThat(Files.readString(shippedTeacher)).isEqualTo("shipped");
        // nor the project's pictures by the screenshot tour, checked before the window opens
        Run shots = run("screenshots", "--force", "--out", project.resolve("docs").toString());
        assertThat(shots.exit()).isEqualTo(2);
        assertThat(shots.err()).contains("workbench-teacher.png is a file of the Q-ViT project");
    }

    @Test
    void theProjectsRunsFolderIsTheUsersAndWrittenOverWithForce() throws Exception {
        // given a teacher saved earlier in the project's git-ignored runs folder
        Path earlier = project.resolve("runs/teacher-custom.qvit");
        Files.createDirectories(earlier.getParent());
        Files.writeString(earlier, "earlier run");
        // when a teacher is trained there with --force
        Run r = run(concat(concat(new String[] {"train", "--force", "--out", earlier.toString()}, SMALL), QUICK));
        // then it is written over like any file of the user's
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(earlier, java.nio.charset.StandardCharsets.ISO_8859_1)).isNotEqualTo("earlier run");
    }

    @Test
    void quantizeChecksItsOutputBeforeReadingTheTeacher() throws Exception {
        Path student = dir.resolve("student.qvit");
        Files.writeString(student, "mine");
        Run r = run("quantize", "--teacher", dir.resolve("no-such-teacher.qvit").toString(), "--out", student.toString(),
                "--data", "bundled");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("already exists");
    }

    @Test
    void screenshotsGoToTheRunsFolderAndKeepEarlierOnesUnlessForced() throws Exception {
        // given earlier screenshots in the default folder
        Path earlier = runs.resolve("screenshots/workbench-dark.png");
        Files.createDirectories(earlier.getParent());
        Files.writeString(earlier, "earlier");
        // then the tour refuses to start over them
        Run r = run("screenshots");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(runs.resolve("screenshots") + " already holds workbench-dark.png: pass --force");
        assertThat(Files.readString(earlier)).isEqualTo("earlier");
    }

    @Test
    void ablateRefusesAFolderOfOtherResultsAndAGridOfAnotherPlan() throws Exception {
        Files.writeString(dir.resolve("t.qvit"), "not read: the grids below are only written down");
        String[] grid = {"ablate", "--teacher", dir.resolve("t.qvit").toString(), "--bits", "2", "--variants", "irm",
                "--seeds", "0", "--epochs", "1", "--data", "bundled", "--sessions", dir.resolve("s").toString()};
        // given a folder with a results table that is not an ablation's
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("results.md"), "my notes");
        Run notes = run(concat(grid, "--out", other.toString()));
        // then ablate refuses it before it makes or runs anything
        assertThat(notes.exit()).isEqualTo(2);
        assertThat(notes.err()).contains("already holds results.md: pass --force");
        assertThat(Files.readString(other.resolve("results.md"))).isEqualTo("my notes");
        assertThat(dir.resolve("s")).doesNotExist();
        // given a grid whose irm cells use the distribution form, written down for Slurm
        Run slurm = run(concat(grid, "--slurm"));
        assertThat(slurm.exit()).as(slurm.err()).isZero();
        // when the same grid is asked for with the token form
        Run token = run(concat(grid, "--irm-form", "token"));
        // then it is refused instead of counting the other grid's cells as its own
        assertThat(token.exit()).isEqualTo(2);
        assertThat(token.err()).contains("grid ablation in " + dir.resolve("s") + " was made with another plan "
                + "(bits [2], variants [irm], seeds [0], IRM form distribution");
    }
}
