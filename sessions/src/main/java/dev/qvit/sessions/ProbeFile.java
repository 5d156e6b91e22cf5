package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.io.Safetensors;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.LayerGeometry;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.QuantizerSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ProbeSnapshot} (what every view draws at one step) as a safetensors file: the attention maps as
 * {@code attention/<layer>} float32 [images, windows, heads, tokens, tokens], DGD's similarity matrices of the first
 * image as {@code similarity/<layer>} float32 [2 (q, k), windows, heads, tokens, tokens], and everything else (each
 * layer's geometry, histograms, Gaussian fits, attention entropies, quantizer steps and code counts) as JSON in
 * {@code __metadata__}. Version 1 files (a ViT's, every layer alike, no windows axis, similarity possibly absent)
 * are still read.
 */
final class ProbeFile {
    static final String FORMAT = "qvit-probe";
    static final int VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeFile() {
    }

    record Header(long step, int epoch, List<LayerGeometry> geometry, int attentionImages,
                  List<HeadDistribution> distributions, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {
    }

    /** The header of version 1: one geometry for every layer. */
    record HeaderV1(long step, int epoch, int layers, int heads, int tokens, int attentionImages,
                    List<HeadDistribution> distributions, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {
        Header current() {
            return new Header(step, epoch, ModelSnapshot.vit(layers, heads, tokens), attentionImages, distributions,
                    attentionEntropy, quantizers);
        }
    }

    static byte[] bytes(ProbeSnapshot p) {
        ModelSnapshot m = p.model();
        Header h = new Header(p.step(), p.epoch(), m.geometry(), m.attentionImages(), m.distributions(),
                m.attentionEntropy(), m.quantizers());
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", FORMAT)
                .metadata("version", String.valueOf(VERSION));
        try {
            w.metadata("snapshot", JSON.writeValueAsString(h));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        List<float[]> attention = m.attention();
        for (int l = 0; l < attention.size(); l++) {
            w.put("attention/" + l, attention.get(l), shape(m.attentionImages(), m.geometry(l)));
        }
        List<float[]> similarity = m.similarity();
        for (int l = 0; l < similarity.size(); l++) {
            w.put("similarity/" + l, similarity.get(l), shape(2, m.geometry(l)));
        }
        return w.toBytes();
    }

    static ProbeSnapshot read(Path file) throws SessionException {
        try {
            Safetensors.Content c = Safetensors.read(file);
            String version = c.metadata().get("version");
            boolean first = "1".equals(version);
            if (!FORMAT.equals(c.metadata().get("format")) || !(first || String.valueOf(VERSION).equals(version))) {
                throw new SessionException(file + " is not a probe snapshot of version 1 to " + VERSION);
            }
            String json = c.metadata().getOrDefault("snapshot", "null");
            HeaderV1 old = first ? JSON.readValue(json, HeaderV1.class) : null;
            Header h = first ? (old == null ? null : old.current()) : JSON.readValue(json, Header.class);
            if (h == null || h.geometry() == null || h.distributions() == null || h.attentionEntropy() == null
                    || h.quantizers() == null) {
                throw new SessionException(file + " has no snapshot in its metadata");
            }
            List<float[]> attention = new ArrayList<>();
            List<float[]> similarity = new ArrayList<>();
            for (int l = 0; l < h.geometry().size(); l++) {
                LayerGeometry g = h.geometry().get(l);
                long[] shape = shape(h.attentionImages(), g);
                attention.add(c.floats("attention/" + l, first ? withoutWindows(shape) : shape));
                if (c.contains("similarity/" + l)) {                                   // absent in older files
                    long[] pair = shape(2, g);
                    similarity.add(c.floats("similarity/" + l, first ? withoutWindows(pair) : pair));
                }
            }
            return new ProbeSnapshot(h.step(), h.epoch(), new ModelSnapshot(h.geometry(), h.attentionImages(),
                    h.distributions(), attention, h.attentionEntropy(), h.quantizers(), similarity));
        } catch (SessionException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new SessionException(file + " has an unreadable snapshot: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new SessionException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new SessionException(file + " holds an inconsistent snapshot: " + e);
        }
    }

    /** [count, windows, heads, N, N] of one layer. */
    private static long[] shape(long count, LayerGeometry g) {
        return new long[] {count, g.windows(), g.heads(), g.tokens(), g.tokens()};
    }

    /** Version 1's shape: no windows axis (a ViT's one window). */
    private static long[] withoutWindows(long[] shape) {
        return new long[] {shape[0], shape[2], shape[3], shape[4]};
    }
}
