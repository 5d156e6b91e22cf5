package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.io.Safetensors;
import dev.qvit.records.HeadDistribution;
import dev.qvit.records.ModelSnapshot;
import dev.qvit.records.ProbeSnapshot;
import dev.qvit.records.QuantizerSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ProbeSnapshot} (what every view draws at one step) as a safetensors file: the attention maps as
 * {@code attention/<layer>} float32 [images, heads, tokens, tokens], DGD's similarity matrices of the first image as
 * {@code similarity/<layer>} float32 [2 (q, k), heads, tokens, tokens] (absent in older files), and everything else (histograms, Gaussian fits,
 * attention entropies, quantizer steps and code counts) as JSON in {@code __metadata__}.
 */
final class ProbeFile {
    static final String FORMAT = "qvit-probe";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProbeFile() {
    }

    record Header(long step, int epoch, int layers, int heads, int tokens, int attentionImages,
                  List<HeadDistribution> distributions, double[] attentionEntropy, List<QuantizerSnapshot> quantizers) {
    }

    static byte[] bytes(ProbeSnapshot p) {
        ModelSnapshot m = p.model();
        Header h = new Header(p.step(), p.epoch(), m.layers(), m.heads(), m.tokens(), m.attentionImages(),
                m.distributions(), m.attentionEntropy(), m.quantizers());
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", FORMAT)
                .metadata("version", String.valueOf(VERSION));
        try {
            w.metadata("snapshot", JSON.writeValueAsString(h));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        List<float[]> attention = m.attention();
        for (int l = 0; l < attention.size(); l++) {
            w.put("attention/" + l, attention.get(l), m.attentionImages(), m.heads(), m.tokens(), m.tokens());
        }
        List<float[]> similarity = m.similarity();
        for (int l = 0; l < similarity.size(); l++) {
            w.put("similarity/" + l, similarity.get(l), 2, m.heads(), m.tokens(), m.tokens());
        }
        return w.toBytes();
    }

    static ProbeSnapshot read(Path file) throws SessionException {
        try {
            Safetensors.Content c = Safetensors.read(file);
            if (!FORMAT.equals(c.metadata().get("format")) || !String.valueOf(VERSION).equals(c.metadata().get("version"))) {
                throw new SessionException(file + " is not a probe snapshot of version " + VERSION);
            }
            Header h = JSON.readValue(c.metadata().getOrDefault("snapshot", "null"), Header.class);
            if (h == null || h.distributions() == null || h.attentionEntropy() == null || h.quantizers() == null) {
                throw new SessionException(file + " has no snapshot in its metadata");
            }
            List<float[]> attention = new ArrayList<>();
            for (int l = 0; l < h.layers(); l++) {
                attention.add(c.floats("attention/" + l, h.attentionImages(), h.heads(), h.tokens(), h.tokens()));
            }
            List<float[]> similarity = new ArrayList<>();
            for (int l = 0; l < h.layers() && c.contains("similarity/" + l); l++) {     // absent in older files
                similarity.add(c.floats("similarity/" + l, 2, h.heads(), h.tokens(), h.tokens()));
            }
            return new ProbeSnapshot(h.step(), h.epoch(), new ModelSnapshot(h.layers(), h.heads(), h.tokens(),
                    h.attentionImages(), h.distributions(), attention, h.attentionEntropy(), h.quantizers(),
                    similarity));
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
}
