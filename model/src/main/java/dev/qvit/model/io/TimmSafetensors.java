package dev.qvit.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qvit.model.nn.Parameter;
import dev.qvit.model.quant.LsqQuantizer;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.vit.VisionTransformer;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Models as safetensors with timm's DeiT parameter names, so that a ViT trained with PyTorch/timm opens here and ours
 * opens there ({@code VisionTransformer.load_state_dict}). Our parameters already carry timm's names and shapes but
 * for the patch embedding, which timm keeps as a convolution: {@code patch_embed.proj.weight} [D, C, P, P] and
 * {@code patch_embed.proj.bias}. A quantized student's extra tensors (LSQ steps and zero points, IRM) keep our names
 * (PyTorch loads the rest with {@code strict=False}); its size, bits and quantizer calibration go into
 * {@code __metadata__} as JSON. A file without our metadata (timm's own) gets its size from the tensors' shapes and
 * the DeiT head size 64 (D / 64 heads), or from {@code heads}.
 */
public final class TimmSafetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATCH_WEIGHT = "patch_embed.proj.weight";
    private static final String PATCH_BIAS = "patch_embed.proj.bias";

    private TimmSafetensors() {
    }

    /** timm's name of one of our parameters. */
    static String timmName(String ours) {
        return switch (ours) {
            case "patch_embed.weight" -> PATCH_WEIGHT;
            case "patch_embed.bias" -> PATCH_BIAS;
            default -> ours;
        };
    }

    public static void export(VisionTransformer model, Path file) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", "pt")
                .metadata("qvit.config", json(model.config()));
        VitConfig c = model.config();
        for (Parameter p : model.parameters().parameters()) {
            float[] values = p.value().dup('c').castTo(DataType.FLOAT).data().asFloat();
            long[] shape = p.name().equals("patch_embed.weight")
                    ? new long[] {c.dim(), c.channels(), c.patchSize(), c.patchSize()} : p.shape();
            w.put(timmName(p.name()), values, shape);
        }
        if (model.quantization() != null) {
            w.metadata("qvit.quantization", json(model.quantization()));
            List<Map<String, Object>> states = new ArrayList<>();
            for (LsqQuantizer q : model.quantizers()) {
                states.add(Map.of("name", q.name(), "initialized", q.initialized(), "signed", q.range().signed(),
                        "gradScale", q.gradScale()));
            }
            w.metadata("qvit.quantizers", json(states));
        }
        w.write(file);
    }

    /**
     * @param heads the number of heads when the file does not say (0: D / 64, as in every DeiT)
     * @throws IOException naming the file and what does not fit (a missing or extra tensor, a shape, the dtype)
     */
    public static VisionTransformer load(Path file, int heads) throws IOException {
        Safetensors.Content c = Safetensors.read(file);
        if (c.contains("dist_token") || c.contains("head_dist.weight")) {
            throw new Safetensors.SafetensorsException(file + " is a distilled DeiT (dist_token, head_dist): this "
                    + "workbench opens the plain DeiT models only");
        }
        try {
            VitConfig config = c.metadata().containsKey("qvit.config")
                    ? JSON.readValue(c.metadata().get("qvit.config"), VitConfig.class) : inferred(file, c, heads);
            QuantizationConfig quantization = c.metadata().containsKey("qvit.quantization")
                    ? JSON.readValue(c.metadata().get("qvit.quantization"), QuantizationConfig.class) : null;
            VisionTransformer model = new VisionTransformer(config, DataType.FLOAT, quantization);
            Set<String> unused = new LinkedHashSet<>(c.names());
            for (Parameter p : model.parameters().parameters()) {
                String name = timmName(p.name());
                if (!c.contains(name)) {
                    throw new Safetensors.SafetensorsException(file + " has no tensor '" + name + "', which a "
                            + config.describe() + (quantization == null ? "" : " student") + " needs");
                }
                Safetensors.Entry e = c.entry(name);
                if (e.elements() != p.length()) {
                    throw new Safetensors.SafetensorsException("%s: tensor '%s' has shape %s, a %s needs %s".formatted(
                            file, name, Arrays.toString(e.shape()), config.describe(), Arrays.toString(p.shape())));
                }
                p.value().assign(Nd4j.createFromArray(c.floats(name)).reshape(p.shape()));
                unused.remove(name);
            }
            if (!unused.isEmpty()) {
                throw new Safetensors.SafetensorsException(file + " has tensors this model does not know: "
                        + String.join(", ", unused.stream().limit(5).toList()) + (unused.size() > 5 ? ", …" : ""));
            }
            if (quantization != null) {
                restoreQuantizers(model, c.metadata().getOrDefault("qvit.quantizers", "[]"), file);
            }
            return model;
        } catch (JsonProcessingException e) {
            throw new Safetensors.SafetensorsException(file + ": unreadable model description in __metadata__ ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IllegalArgumentException e) {
            throw new Safetensors.SafetensorsException(file + ": " + e.getMessage());
        }
    }

    private static VitConfig inferred(Path file, Safetensors.Content c, int heads) throws IOException {
        for (String name : new String[] {PATCH_WEIGHT, "pos_embed", "blocks.0.mlp.fc1.weight", "head.weight"}) {
            if (!c.contains(name)) {
                throw new Safetensors.SafetensorsException(file + " is not a ViT/DeiT in timm's names: no tensor '"
                        + name + "'");
            }
        }
        long[] patch = c.entry(PATCH_WEIGHT).shape();
        long[] pos = c.entry("pos_embed").shape();
        if (patch.length != 4 || patch[2] != patch[3] || pos.length != 3) {
            throw new Safetensors.SafetensorsException(file + ": patch_embed.proj.weight must be [D, C, P, P] and "
                    + "pos_embed [1, N, D]");
        }
        int dim = (int) patch[0];
        int grid = (int) Math.round(Math.sqrt(pos[1] - 1));
        if ((long) grid * grid + 1 != pos[1]) {
            throw new Safetensors.SafetensorsException(file + ": pos_embed has " + pos[1] + " tokens, not a square grid "
                    + "plus a cls token");
        }
        int depth = 0;
        while (c.contains("blocks." + depth + ".norm1.weight")) {
            depth++;
        }
        int h = heads > 0 ? heads : dim % 64 == 0 ? dim / 64 : 0;
        if (h == 0) {
            throw new Safetensors.SafetensorsException(file + ": the file does not say how many heads its width "
                    + dim + " has, and it is not a multiple of DeiT's head size 64: give the number of heads");
        }
        return new VitConfig(grid * (int) patch[2], (int) patch[2], (int) patch[1], dim, depth, h,
                (int) c.entry("blocks.0.mlp.fc1.weight").shape()[0], (int) c.entry("head.weight").shape()[0]);
    }

    private static void restoreQuantizers(VisionTransformer model, String json, Path file) throws IOException {
        List<Map<String, Object>> states = JSON.readValue(json,
                new com.fasterxml.jackson.core.type.TypeReference<>() {
                });
        for (LsqQuantizer q : model.quantizers()) {
            Map<String, Object> s = states.stream().filter(m -> q.name().equals(m.get("name"))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no calibration for quantizer " + q.name()));
            if (Boolean.TRUE.equals(s.get("initialized"))) {
                q.restore(Boolean.TRUE.equals(s.get("signed")), ((Number) s.get("gradScale")).doubleValue());
            }
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
