package dev.qvit.model.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qvit.model.swin.SwinConfig;
import dev.qvit.model.vit.ModelConfig;
import dev.qvit.model.vit.VitConfig;
import java.io.IOException;

/**
 * An experiment's model in JSON: the size's fields with {@code "architecture": "vit"} or {@code "swin"}; a model
 * without one is a ViT (every spec written before Swin).
 */
public final class ModelConfigJson {
    public static final String ARCHITECTURE = "architecture";
    private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN = new com.fasterxml.jackson.databind.ObjectMapper();

    private ModelConfigJson() {
    }

    /** The model's fields with its architecture. */
    public static ObjectNode toTree(ModelConfig model) {
        ObjectNode fields = PLAIN.createObjectNode();
        fields.put(ARCHITECTURE, model.architecture());
        fields.setAll((ObjectNode) PLAIN.valueToTree(model));
        return fields;
    }

    /** @throws IllegalArgumentException for an architecture other than vit and swin, or a size out of range */
    public static ModelConfig fromTree(com.fasterxml.jackson.databind.JsonNode node) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the model configuration is missing");
        }
        ObjectNode fields = node.deepCopy();
        String architecture = fields.has(ARCHITECTURE) ? fields.remove(ARCHITECTURE).asText() : "vit";
        Class<? extends ModelConfig> type = switch (architecture) {
            case "vit" -> VitConfig.class;
            case "swin" -> SwinConfig.class;
            default -> throw new IllegalArgumentException("the architecture '" + architecture
                    + "' is not one of vit, swin");
        };
        return PLAIN.treeToValue(fields, type);
    }

    public static final class Writer extends JsonSerializer<ModelConfig> {
        @Override
        public void serialize(ModelConfig model, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeTree(toTree(model));
        }
    }

    public static final class Reader extends JsonDeserializer<ModelConfig> {
        @Override
        public ModelConfig deserialize(JsonParser in, DeserializationContext context) throws IOException {
            com.fasterxml.jackson.databind.JsonNode fields = in.readValueAsTree();
            try {
                return fromTree(fields);
            } catch (IllegalArgumentException e) {
                throw context.weirdStringException(String.valueOf(fields.get(ARCHITECTURE)), ModelConfig.class,
                        e.getMessage());
            }
        }
    }
}
