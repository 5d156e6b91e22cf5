package dev.qvit.sessions;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.GaussianFit;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.Histogram;
import dev.qvit.records.LayerProbe.Stage;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.StepMetrics;
import dev.qvit.records.Tensor;
import dev.qvit.sessions.tensorboard.Event;
import dev.qvit.sessions.tensorboard.HistogramProto;
import dev.qvit.sessions.tensorboard.Summary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A session as a TensorBoard event file ({@code events.out.tfevents.<time>.qvit}), so that {@code tensorboard
 * --logdir} shows our runs next to PyTorch's: scalars per step ({@code train/loss}, {@code train/task_loss},
 * {@code train/accuracy}, {@code train/learning_rate}, {@code train/gradient_norm}, {@code dgd/q/layer{l}/head{h}}
 * and {@code dgd/k/...} where measured), per epoch at its last step ({@code test/accuracy}, {@code test/loss},
 * {@code epoch/train_loss}, {@code epoch/train_accuracy}), and at every kept probe snapshot the histograms of q and
 * k per layer and head after the quantizer ({@code q/layer{l}/head{h}}, the raw values for a full-precision run).
 * Records are TFRecord-framed: u64 length, masked CRC32C of it, the Event, masked CRC32C of the Event.
 */
public final class TensorBoardExport {
    private TensorBoardExport() {
    }

    /** Writes the event file into {@code dir} (atomically) and returns it. */
    public static Path write(SessionView session, Path dir) throws SessionException, IOException {
        List<Event> events = events(session.steps(), session.epochs(), probes(session));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Event e : events) {
            frame(e.toByteArray(), out);
        }
        long created = session.info().created() == null ? 0
                : java.time.Instant.parse(session.info().created()).getEpochSecond();
        Path file = dir.resolve("events.out.tfevents." + created + ".qvit");
        dev.qvit.model.io.Safetensors.writeAtomically(file, out.toByteArray());
        return file;
    }

    private static List<ProbeSnapshot> probes(SessionView session) throws SessionException {
        List<ProbeSnapshot> out = new ArrayList<>();
        for (MetricsStore.FileRow row : session.probes()) {
            out.add(session.probe(row));
        }
        return out;
    }

    static List<Event> events(List<StepMetrics> steps, List<EpochMetrics> epochs, List<ProbeSnapshot> probes) {
        List<Event> out = new ArrayList<>();
        double start = 0;
        out.add(Event.newBuilder().setWallTime(start).setFileVersion("brain.Event:2").build());
        long[] epochEnd = new long[epochs.size()];
        for (StepMetrics m : steps) {
            Summary.Builder s = Summary.newBuilder();
            scalar(s, "train/loss", m.loss());
            scalar(s, "train/task_loss", m.taskLoss());
            scalar(s, "train/accuracy", m.accuracy());
            scalar(s, "train/learning_rate", m.learningRate());
            scalar(s, "train/gradient_norm", m.gradientNorm());
            DistillationLoss d = m.distillation();
            if (d != null) {
                for (int l = 0; l < d.layers(); l++) {
                    for (int h = 0; h < d.heads(l); h++) {
                        scalar(s, "dgd/q/layer%d/head%d".formatted(l, h), d.query(l, h));
                        scalar(s, "dgd/k/layer%d/head%d".formatted(l, h), d.key(l, h));
                    }
                }
            }
            out.add(event(m.elapsedSeconds(), m.step(), s));
            if (m.epoch() < epochEnd.length) {
                epochEnd[m.epoch()] = m.step();
            }
        }
        for (EpochMetrics e : epochs) {
            Summary.Builder s = Summary.newBuilder();
            scalar(s, "test/accuracy", e.testAccuracy());
            scalar(s, "test/loss", e.testLoss());
            scalar(s, "epoch/train_loss", e.trainLoss());
            scalar(s, "epoch/train_accuracy", e.trainAccuracy());
            out.add(event(e.elapsedSeconds(), epochEnd[e.epoch()], s));
        }
        for (ProbeSnapshot p : probes) {
            ModelSnapshot m = p.model();
            Stage stage = m.quantized() ? Stage.QUANTIZED : Stage.RAW;
            Summary.Builder s = Summary.newBuilder();
            for (int l = 0; l < m.layers(); l++) {
                for (int h = 0; h < m.heads(l); h++) {
                    for (Tensor t : Tensor.values()) {
                        s.addValue(Summary.Value.newBuilder().setTag("%s/layer%d/head%d".formatted(t.symbol(), l, h))
                                .setHisto(histogram(m.distribution(l, h, t, stage))));
                    }
                }
            }
            out.add(event(start, p.step(), s));
        }
        return out;
    }

    private static Event event(double wallTime, long step, Summary.Builder summary) {
        return Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(summary).build();
    }

    private static void scalar(Summary.Builder s, String tag, double value) {
        if (Double.isFinite(value)) {
            s.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value));
        }
    }

    /** TensorBoard's histogram: right bucket edges and counts; sum and sum of squares from the Gaussian fit. */
    static HistogramProto histogram(HeadDistribution d) {
        Histogram h = d.histogram();
        GaussianFit fit = d.fit();
        long[] counts = h.counts();
        HistogramProto.Builder b = HistogramProto.newBuilder().setMin(h.min()).setMax(h.max());
        double width = (h.max() - h.min()) / counts.length;
        long n = 0;
        for (int i = 0; i < counts.length; i++) {
            b.addBucketLimit(i == counts.length - 1 ? h.max() : h.min() + (i + 1) * width);
            b.addBucket(counts[i]);
            n += counts[i];
        }
        return b.setNum(n).setSum(fit.mean() * n).setSumSquares((fit.std() * fit.std() + fit.mean() * fit.mean()) * n)
                .build();
    }

    /** One TFRecord: length, masked CRC32C of the length, data, masked CRC32C of the data (all little-endian). */
    static void frame(byte[] data, ByteArrayOutputStream out) {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        header.putInt(maskedCrc(header.array(), 0, 8));
        out.writeBytes(header.array());
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, 0, data.length))
                .array());
    }

    /** TensorFlow's masked CRC32C: rotate right by 15 bits and add 0xa282ead8. */
    static int maskedCrc(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    /** Reads the records of an event file back, checking both CRCs of each. */
    public static List<Event> read(byte[] file, String source) throws SessionException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 12) {
                throw new SessionException(source + " ends inside a record header");
            }
            int at = b.position();
            long length = b.getLong();
            if (b.getInt() != maskedCrc(file, at, 8)) {
                throw new SessionException(source + ": the length CRC of the record at byte " + at + " is wrong");
            }
            if (length < 0 || length > b.remaining() - 4) {
                throw new SessionException(source + ": the record at byte " + at + " runs past the end");
            }
            int dataAt = b.position();
            byte[] data = new byte[(int) length];
            b.get(data);
            if (b.getInt() != maskedCrc(file, dataAt, (int) length)) {
                throw new SessionException(source + ": the data CRC of the record at byte " + at + " is wrong");
            }
            try {
                out.add(Event.parseFrom(data));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new SessionException(source + ": the record at byte " + at + " is not an Event: "
                        + e.getMessage().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }
}
