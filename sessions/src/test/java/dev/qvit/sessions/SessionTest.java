package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionTest {
    @TempDir
    Path dir;

    @Test
    void aSessionKeepsEveryStepEpochProbeAndCheckpointExactlyAsTheRunReportedThem() throws Exception {
        SessionsRoot root = new SessionsRoot(dir);
        List<RunEvent> events;
        String id;
        try (Session s = root.create(Runs.student(), null, "first try", 0)) {
            id = s.id();
            events = Runs.run(s, Runs.student(), null, -1);
        }
        try (SessionView v = root.view(id)) {
            assertThat(v.info().name()).isEqualTo("first try");
            assertThat(v.spec()).isEqualTo(Runs.student());
            assertThat(v.state()).isEqualTo(MetricsStore.State.FINISHED);
            List<StepMetrics> reported = events.stream().filter(RunEvent.Step.class::isInstance)
                    .map(e -> ((RunEvent.Step) e).metrics()).toList();
            assertThat(v.steps()).usingRecursiveFieldByFieldElementComparator().isEqualTo(reported);
            assertThat(v.epochs()).hasSize(2);
            assertThat(v.epochs().get(1).testAccuracy()).isEqualTo(v.testAccuracy());
            List<ProbeSnapshot> probes = events.stream().filter(RunEvent.Probed.class::isInstance)
                    .map(e -> ((RunEvent.Probed) e).snapshot()).toList();
            assertThat(v.probes()).hasSize(probes.size());          // probe seconds 0: every snapshot is kept
            ProbeSnapshot last = v.probe(v.probes().get(v.probes().size() - 1));
            assertThat(last).usingRecursiveComparison().isEqualTo(probes.get(probes.size() - 1));
            assertThat(v.checkpoints()).extracting(MetricsStore.FileRow::step).containsExactly(2L, 3L, 4L, 6L);
            // only the newest two checkpoint files are kept
            assertThat(Files.list(v.dir().resolve("checkpoints")).count()).isEqualTo(2);
            TrainingState end = v.lastCheckpoint().orElseThrow();
            assertThat(end.progress().step()).isEqualTo(6);
            assertThat(end.progress().history()).hasSize(2);
            assertThat(end.oscillation().layers()).extracting(l -> l.tensor())     // a student's count goes along
                    .contains("blocks.0.attn.qkv.weight", "head.weight");
        }
        assertThat(root.list()).singleElement().satisfies(summary -> {
            assertThat(summary.id()).isEqualTo(id).endsWith("-w2-irm+dgd");
            assertThat(summary.label()).isEqualTo("W2A2 IRM(distribution)+DGD");
            assertThat(summary.bits()).isEqualTo(2);
            assertThat(summary.steps()).isEqualTo(6);
            assertThat(summary.state()).isEqualTo(MetricsStore.State.FINISHED);
        });
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"vit", "swin"})
    void aStoppedSessionResumedFromItsCheckpointEndsAsTheUninterruptedOne(String architecture) throws Exception {
        SessionsRoot root = new SessionsRoot(dir);
        ExperimentSpec spec = architecture.equals("swin") ? Runs.swinStudent() : Runs.student();
        String whole;
        try (Session s = root.create(spec, "whole", null, 60)) {
            whole = s.id();
            Runs.run(s, spec, null, -1);
        }
        try (Session s = root.create(spec, "stopped", null, 60)) {
            Runs.run(s, spec, null, 5);                                 // stopped after step 5: last checkpoint at 4
        }
        try (SessionView v = root.view("stopped")) {
            assertThat(v.state()).isEqualTo(MetricsStore.State.CANCELLED);
            assertThat(v.steps()).hasSize(5);
        }
        try (Session s = root.openForWriting("stopped", 60)) {
            assertThat(s.spec()).as("the spec read back, architecture and all").isEqualTo(spec);
            TrainingState from = s.prepareResume().orElseThrow();
            assertThat(from.progress().step()).isEqualTo(4);
            Runs.run(s, s.spec(), from, -1);
        }
        try (SessionView a = root.view(whole); SessionView b = root.view("stopped")) {
            assertThat(b.state()).isEqualTo(MetricsStore.State.FINISHED);
            assertThat(b.lastCheckpoint().orElseThrow()).isEqualTo(a.lastCheckpoint().orElseThrow());
            assertThat(b.steps()).hasSameSizeAs(a.steps());
            for (int i = 0; i < a.steps().size(); i++) {
                assertThat(b.steps().get(i).loss()).as("step %d", i).isEqualTo(a.steps().get(i).loss());
                assertThat(b.steps().get(i).distillation()).usingRecursiveComparison()
                        .isEqualTo(a.steps().get(i).distillation());
            }
            assertThat(b.epochs()).extracting(e -> e.testAccuracy())
                    .containsExactlyElementsOf(a.epochs().stream().map(e -> e.testAccuracy()).toList());
            int[] heads = architecture.equals("swin") ? new int[] {1, 1, 2} : new int[] {2, 2};
            assertThat(b.lastProbe().orElseThrow().model().headsPerLayer()).containsExactly(heads);
            assertThat(b.steps().get(0).distillation().headsPerLayer()).containsExactly(heads);
        }
    }

    @Test
    void aSecondWriterIsToldTheSessionIsBusyAndReadersStillSeeIt() throws Exception {
        SessionsRoot root = new SessionsRoot(dir);
        try (Session s = root.create(Runs.student(), "held", null, 60)) {
            assertThatThrownBy(() -> root.openForWriting("held", 60)).isInstanceOf(SessionBusyException.class)
                    .hasMessageContaining("session held is busy: process " + ProcessHandle.current().pid());
            assertThatThrownBy(() -> root.delete("held")).isInstanceOf(SessionBusyException.class);
            assertThatThrownBy(() -> root.rename("held", "x")).isInstanceOf(SessionBusyException.class);
            try (SessionView v = root.view("held")) {
                assertThat(v.state()).isEqualTo(MetricsStore.State.RUNNING);
            }
        }
        try (SessionView v = root.view("held")) {
            assertThat(v.state()).as("recorded running, nobody holds it").isEqualTo(MetricsStore.State.CRASHED);
        }
        root.rename("held", "renamed");
        try (SessionView v = root.view("held")) {
            assertThat(v.info().name()).isEqualTo("renamed");
        }
        root.delete("held");
        assertThat(dir.resolve("held")).doesNotExist();
        assertThat(root.list()).isEmpty();
    }

    @Test
    void idsThatCouldLeaveTheSessionsFolderAreRefused() {
        SessionsRoot root = new SessionsRoot(dir.resolve("sessions"));
        for (String id : new String[] {"..", "../x", "/etc", "a/b", "a\\b", "", " x", ".hidden", "x/../../y", "-x",
                "a".repeat(101), "x..y", null}) {
            assertThatThrownBy(() -> root.folder(id)).as(String.valueOf(id)).isInstanceOf(SessionException.class)
                    .hasMessageContaining("is not a session id");
        }
        assertThatThrownBy(() -> root.create(Runs.student(), "../escape", null, 60))
                .isInstanceOf(SessionException.class);
        assertThat(dir.resolve("escape")).doesNotExist();
    }
}
