package dev.qvit.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.nn.ParameterSet;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.Backbone;
import dev.qvit.model.vit.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model file: a zip with {@code manifest.json} (format, kind, the model's architecture and size, free metadata) and one
 * {@code params/<name>.npy} per parameter (PyTorch state_dict names and shapes). Written atomically (temp file,
 * then rename); read with every name, shape and value checked, so a wrong or corrupt file is a clear message.
 */
public final class Checkpoint {
    public static final String FORMAT = "qvit-checkpoint";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /** What a checkpoint file holds besides the weights; {@code quantization} is null for a FP model. */
    public record Header(String kind, ModelConfig config, QuantizationConfig quantization, JsonNode metadata,
                         JsonNode quantizerStates) {
    }

    public static void save(Path file, String kind, Backbone model, Map<String, Object> metadata)
            throws IOException {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT).put("version", VERSION).put("kind", kind);
        manifest.set("config", ModelConfigJson.toTree(model.config()));
        if (model.quantization() != null) {
            manifest.set("quantization", JSON.valueToTree(model.quantization()));
            var states = manifest.putArray("quantizers");
            for (LsqQuantizer q : model.quantizers()) {
                states.addObject().put("name", q.name()).put("initialized", q.initialized())
                        .put("signed", q.range().signed()).put("gradScale", q.gradScale());
            }
        }
        manifest.set("metadata", JSON.valueToTree(metadata));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(temp); ZipOutputStream zip = new ZipOutputStream(raw)) {
                put(zip, "manifest.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                for (Parameter p : model.parameters().parameters()) {
                    float[] values = p.value().dup().castTo(DataType.FLOAT).data().asFloat();
                    put(zip, "params/" + p.name() + ".npy", Npy.writeFloats(values, p.shape()));
                }
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads only the manifest. */
    public static Header readHeader(Path file) throws IOException {
        return header(readEntries(file, true), file);
    }

    /** Loads a float32 model, full precision or quantized (with its quantizer states). */
    public static Backbone load(Path file) throws IOException {
        Map<String, byte[]> entries = readEntries(file, false);
        Header header = header(entries, file);
        Backbone model = header.config().empty(DataType.FLOAT, header.quantization());
        loadParameters(model.parameters(), name -> entries.get("params/" + name + ".npy"), file.toString());
        restoreQuantizers(model, header.quantizerStates(), file);
        return model;
    }

    private static void restoreQuantizers(Backbone model, JsonNode states, Path file) throws IOException {
        for (LsqQuantizer q : model.quantizers()) {
            JsonNode state = null;
            for (JsonNode s : states) {
                if (q.name().equals(s.path("name").asText())) {
                    state = s;
                }
            }
            if (state == null) {
                throw new IOException(file + ": no state for quantizer " + q.name());
            }
            if (state.path("initialized").asBoolean()) {
                q.restore(state.path("signed").asBoolean(), state.path("gradScale").asDouble());
            }
        }
    }

    /** Source of raw .npy bytes per parameter name (null when missing). */
    public interface NpySource {
        byte[] get(String name) throws IOException;
    }

    /** Assigns every parameter from {@code source}, checking shapes (a PyTorch conv kernel may be flattened). */
    public static void loadParameters(ParameterSet params, NpySource source, String where) throws IOException {
        for (Parameter p : params.parameters()) {
            byte[] bytes = source.get(p.name());
            if (bytes == null) {
                throw new IOException(where + ": parameter " + p.name() + " is missing");
            }
            Npy.Array array = Npy.read(bytes, where + ":" + p.name());
            long length = Arrays.stream(array.shape()).reduce(1, (a, b) -> a * b);
            if (length != p.length() || !compatible(array.shape(), p.shape())) {
                throw new IOException("%s: parameter %s has shape %s, the model expects %s (a checkpoint of another "
                        + "model size?)".formatted(where, p.name(), Arrays.toString(array.shape()),
                        Arrays.toString(p.shape())));
            }
            double[] values = array.values();
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IOException(where + ": parameter " + p.name() + " contains NaN or infinite values");
                }
            }
            p.value().assign(Nd4j.createFromArray(values).castTo(params.dataType()).reshape(p.shape()));
        }
    }

    private static boolean compatible(long[] stored, long[] expected) {
        return Arrays.equals(stored, expected) || stored.length == 4 && expected.length == 2 && stored[0] == expected[0];
    }

    private static Header header(Map<String, byte[]> entries, Path file) throws IOException {
        byte[] manifestBytes = entries.get("manifest.json");
        if (manifestBytes == null) {
            throw new IOException(file + " is not a Q-ViT checkpoint (no manifest.json)");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestBytes);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable manifest: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            throw new IOException(file + " is not a Q-ViT checkpoint (format '" + manifest.path("format").asText() + "')");
        }
        if (manifest.path("version").asInt() > VERSION) {
            throw new IOException(file + " was written by a newer workbench (version " + manifest.path("version").asInt() + ")");
        }
        try {
            ModelConfig config = ModelConfigJson.fromTree(manifest.get("config"));
            QuantizationConfig quantization = manifest.hasNonNull("quantization")
                    ? JSON.treeToValue(manifest.get("quantization"), QuantizationConfig.class) : null;
            return new Header(manifest.path("kind").asText(), config, quantization, manifest.path("metadata"),
                    manifest.path("quantizers"));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": invalid model configuration: " + e.getMessage(), e);
        }
    }

    private static Map<String, byte[]> readEntries(Path file, boolean manifestOnly) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No checkpoint file at " + file);
        }
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream raw = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(raw)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (manifestOnly && !entry.getName().equals("manifest.json")) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                zip.transferTo(out);
                entries.put(entry.getName(), out.toByteArray());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + " is corrupt or not a checkpoint: " + e.getMessage(), e);
        }
        if (entries.isEmpty()) {
            throw new IOException(file + " is not a Q-ViT checkpoint (empty or not a zip file)");
        }
        return entries;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
