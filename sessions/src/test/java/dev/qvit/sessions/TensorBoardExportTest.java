package dev.qvit.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qvit.records.StepMetrics;
import dev.qvit.sessions.tensorboard.Event;
import dev.qvit.sessions.tensorboard.HistogramProto;
import dev.qvit.sessions.tensorboard.Summary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session's TensorBoard event file read back: every record's CRCs, every field. */
class TensorBoardExportTest {
    @TempDir
    Path dir;

    @Test
    void theMaskedCrcIsTensorFlows() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(check);
        assertThat(crc.getValue()).isEqualTo(0xE3069283L);                     // the CRC-32C check value
        int c = 0xE3069283;
        assertThat(TensorBoardExport.maskedCrc(check, 0, check.length)).isEqualTo(((c >>> 15) | (c << 17)) + 0xa282ead8);
    }

    @Test
    void everyScalarHistogramAndRecordOfASessionReadsBack() throws Exception {
        SessionsRoot root = new SessionsRoot(dir.resolve("sessions"));
        try (Session s = root.create(Runs.student(), "tb", null, 0)) {
            Runs.run(s, Runs.student(), null, -1);
        }
        Path file;
        List<StepMetrics> steps;
        int probes;
        try (SessionView v = root.view("tb")) {
            file = TensorBoardExport.write(v, dir.resolve("tb"));
            steps = v.steps();
            probes = v.probes().size();
        }
        assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.");
        List<Event> events = TensorBoardExport.read(Files.readAllBytes(file), file.toString());
        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        List<Event> stepEvents = events.stream().filter(e -> hasTag(e, "train/loss")).toList();
        assertThat(stepEvents).hasSize(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            Event e = stepEvents.get(i);
            assertThat(e.getStep()).isEqualTo(steps.get(i).step());
            assertThat(value(e, "train/loss")).isEqualTo((float) steps.get(i).loss());
            assertThat(value(e, "dgd/k/layer1/head1")).isEqualTo((float) steps.get(i).distillation().key()[1 * 2 + 1]);
            assertThat(e.getSummary().getValueCount()).isEqualTo(5 + 2 * 2 * 2);
        }
        List<Event> epochEvents = events.stream().filter(e -> hasTag(e, "test/accuracy")).toList();
        assertThat(epochEvents).extracting(Event::getStep).containsExactly(2L, 5L);
        List<Event> histogramEvents = events.stream().filter(e -> e.getSummary().getValueCount() > 0
                && e.getSummary().getValue(0).hasHisto()).toList();
        assertThat(histogramEvents).hasSize(probes);
        for (Event e : histogramEvents) {
            assertThat(e.getSummary().getValueList()).extracting(Summary.Value::getTag)
                    .contains("q/layer0/head0", "k/layer1/head1").hasSize(2 * 2 * 2);
            HistogramProto h = e.getSummary().getValue(0).getHisto();
            assertThat(h.getBucketCount()).isEqualTo(h.getBucketLimitCount()).isPositive();
            assertThat(h.getBucketList().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(h.getNum());
            assertThat(h.getBucketLimit(h.getBucketLimitCount() - 1)).isEqualTo(h.getMax());
            assertThat(h.getMin()).isLessThanOrEqualTo(h.getMax());
        }
        assertThat(events).hasSize(1 + steps.size() + 2 + probes);
        // a flipped byte is caught by a CRC
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        assertThatThrownBy(() -> TensorBoardExport.read(bytes, "flipped")).isInstanceOf(SessionException.class)
                .hasMessageContaining("CRC");
    }

    private static boolean hasTag(Event e, String tag) {
        return e.getSummary().getValueList().stream().anyMatch(v -> v.getTag().equals(tag));
    }

    private static float value(Event e, String tag) {
        return e.getSummary().getValueList().stream().filter(v -> v.getTag().equals(tag)).findFirst().orElseThrow()
                .getSimpleValue();
    }
}
