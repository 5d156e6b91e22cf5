package dev.qvit.model.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvit.model.quant.DistributionGuidedDistillation;
import dev.qvit.model.quant.QuantizationConfig;
import dev.qvit.model.train.DistillationSettings;
import dev.qvit.model.train.TrainingConfig;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.qvit.model.vit.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides the numbers of one run, and nothing else (not the thread count: results do not depend on
 * it): a full-precision teacher trained from scratch, or a fully quantized student trained from a teacher with
 * optional IRM and DGD. Written and read as JSON; the window, the command line, the ablation and the benchmark all
 * describe their runs with it, and {@link #problems()} is the one validation they all show.
 *
 * @param schemaVersion  {@link #SCHEMA_VERSION} when written by this version
 * @param kind           teacher (full precision from scratch) or student (QAT from {@code teacher})
 * @param model          the architecture and its size (a ViT's or a Swin's); a student's may be left null when written, meaning its teacher's, and is
 *                       filled in by {@link ExperimentRun#prepare} (so a run's spec always names it)
 * @param data           which Fashion-MNIST and how many of its images
 * @param teacher        student runs: where the teacher comes from ("bundled" or a checkpoint file); null for
 *                       teacher runs
 * @param quantization   student runs: bits, IRM form (NONE = no IRM); null for teacher runs
 * @param distillation   student runs: DGD on/off, lambda and normalisation; null for teacher runs
 * @param training       the optimisation recipe, seed included
 */
@JsonPropertyOrder({"schemaVersion", "kind", "model", "data", "teacher", "quantization", "distillation", "training"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentSpec(int schemaVersion, Kind kind,
                             @JsonSerialize(using = dev.qvit.model.io.ModelConfigJson.Writer.class)
                             @JsonDeserialize(using = dev.qvit.model.io.ModelConfigJson.Reader.class) ModelConfig model,
                             Data data, String teacher,
                             QuantizationConfig quantization, DistillationSettings distillation,
                             TrainingConfig training) {

    /** The version of the JSON layout this class writes. */
    public static final int SCHEMA_VERSION = 1;
    /** The teacher shipped with the workbench (checkpoints/teacher-tiny.qvit). */
    public static final String BUNDLED_TEACHER = "bundled";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The two runs: a full-precision teacher, or a quantized student of a teacher. */
    public enum Kind { TEACHER, STUDENT }

    /**
     * @param source     auto (the full set when installed, else the bundled subset), bundled, full, or a folder of
     *                   IDX files
     * @param trainLimit train on the first N training images only; 0 = all
     * @param testLimit  evaluate on the first N test images only; 0 = all
     */
    public record Data(String source, int trainLimit, int testLimit) {
        public static Data all(String source) {
            return new Data(source, 0, 0);
        }
    }

    /** The method doc's teacher recipe (AdamW 1e-3, wd 0.05, 1 warm-up epoch, cosine to 1e-5, augmentation). */
    public static ExperimentSpec teacher(ModelConfig model, Data data, int epochs, long seed) {
        return new ExperimentSpec(SCHEMA_VERSION, Kind.TEACHER, model, data, null, null, null,
                teacherRecipe(epochs, 1e-3, seed));
    }

    /** The teacher recipe with peak learning rate {@code lr} (cosine to min(1e-5, lr)). */
    public static TrainingConfig teacherRecipe(int epochs, double lr, long seed) {
        return new TrainingConfig(epochs, 128, lr, Math.min(1e-5, lr), Math.min(1, epochs), 0.05, 0, seed, true);
    }

    /** The method doc's QAT recipe (AdamW 2e-4 cosine to 1e-6, no warm-up, no decay, augmentation). */
    public static ExperimentSpec student(ModelConfig model, Data data, String teacher, QuantizationConfig quantization,
                                         DistillationSettings distillation, int epochs, long seed) {
        return new ExperimentSpec(SCHEMA_VERSION, Kind.STUDENT, model, data, teacher, quantization, distillation,
                qatRecipe(epochs, 2e-4, seed));
    }

    /** QAT: cosine from {@code lr} to min(1e-6, lr), batch 128, no warm-up, no weight decay, augmentation. */
    public static TrainingConfig qatRecipe(int epochs, double lr, long seed) {
        return new TrainingConfig(epochs, 128, lr, Math.min(1e-6, lr), 0, 0, 0, seed, true);
    }

    /**
     * Setting -> what is wrong with it, in one sentence a user can act on; empty when the run can start. Keys:
     * schemaVersion, kind, model, data, images, testImages, teacher, bits, embeddingBits, lambda, and the recipe's
     * (epochs, batch, lr, minLr, warmup, wd, clip).
     */
    public Map<String, String> problems() {
        Map<String, String> p = new LinkedHashMap<>();
        if (schemaVersion != SCHEMA_VERSION) {
            p.put("schemaVersion", schemaVersion > SCHEMA_VERSION
                    ? "it was written by a newer workbench (schema %d; this one reads %d)".formatted(schemaVersion,
                    SCHEMA_VERSION)
                    : "schema version %d is not one this workbench knows".formatted(schemaVersion));
        }
        if (kind == null) {
            p.put("kind", "the run must be a teacher or a student");
        }
        if (model == null && kind != Kind.STUDENT) {
            p.put("model", "the model size is missing");
        }
        dataProblems(p);
        if (kind == Kind.STUDENT) {
            studentProblems(p);
        } else if (kind == Kind.TEACHER && (quantization != null || distillation != null || teacher != null)) {
            p.put("kind", "a full-precision teacher run has no teacher, quantization or distillation");
        }
        if (training == null) {
            p.put("training", "the training recipe is missing");
        } else {
            p.putAll(training.problems());
        }
        return p;
    }

    private void dataProblems(Map<String, String> p) {
        if (data == null || data.source() == null || data.source().isBlank()) {
            p.put("data", "the data must be auto, bundled, full or a folder of Fashion-MNIST IDX files");
            return;
        }
        if (data.trainLimit() < 0) {
            p.put("images", "the training-image limit must be 0 (all) or more, got " + data.trainLimit());
        } else if (data.trainLimit() == 1) {
            p.put("images", "train on at least 2 images");
        }
        if (data.testLimit() < 0) {
            p.put("testImages", "the test-image limit must be 0 (all) or more, got " + data.testLimit());
        }
    }

    private void studentProblems(Map<String, String> p) {
        if (teacher == null || teacher.isBlank()) {
            p.put("teacher", "a student needs a teacher: the bundled one or a checkpoint made by 'qvit train'");
        }
        if (quantization == null) {
            p.put("bits", "a student needs its bit width");
        } else {
            p.putAll(quantization.problems());
        }
        if (distillation == null) {
            p.put("lambda", "a student needs its DGD settings (on or off)");
        } else {
            p.putAll(distillation.problems());
        }
    }

    /** @throws InvalidExperimentException naming every problem, as one message */
    public ExperimentSpec requireValid() {
        Map<String, String> p = problems();
        if (!p.isEmpty()) {
            throw new InvalidExperimentException(String.join("; ", p.values()));
        }
        return this;
    }

    /**
     * "W4A4 IRM(distribution)+DGD", "W2A2 IRM(token)", "W4A4 DGD", "W4A4 baseline" or "FP teacher tiny": one
     * format for the window, the command line and the results tables.
     */
    public String label() {
        if (kind == Kind.TEACHER) {
            return "FP teacher " + model.presetName();
        }
        return variant().runLabel(quantization.bits(), quantization.rectification());
    }

    /** Which of the ablation's four students this is. */
    public Variant variant() {
        return kind == Kind.TEACHER ? null : Variant.of(quantization.rectified(), distillation.enabled());
    }

    /** For file names: teacher-tiny, w4-irm+dgd (distribution IRM), w4-irm+dgd-token. */
    public String shortName() {
        if (kind == Kind.TEACHER) {
            return "teacher-" + model.presetName();
        }
        boolean token = quantization.rectification() == QuantizationConfig.Rectification.TOKEN;
        return "w" + quantization.bits() + "-" + variant().label() + (token ? "-token" : "");
    }

    /** The label with lambda and the DGD normalisation when DGD is on. */
    public String describe() {
        boolean dgd = kind == Kind.STUDENT && distillation.enabled();
        return label() + (dgd ? ", lambda %s (%s norm)".formatted(distillation.lambda(),
                distillation.norm() == DistributionGuidedDistillation.Norm.HEAD ? "head" : "layer") : "");
    }

    public ExperimentSpec withModel(ModelConfig m) {
        return new ExperimentSpec(schemaVersion, kind, m, data, teacher, quantization, distillation, training);
    }

    public ExperimentSpec withKind(Kind k) {
        return new ExperimentSpec(schemaVersion, k, model, data, teacher, quantization, distillation, training);
    }

    public ExperimentSpec withSeed(long seed) {
        return new ExperimentSpec(schemaVersion, kind, model, data, teacher, quantization, distillation,
                training.withSeed(seed));
    }

    public ExperimentSpec withData(Data d) {
        return new ExperimentSpec(schemaVersion, kind, model, d, teacher, quantization, distillation, training);
    }

    public ExperimentSpec withTraining(TrainingConfig t) {
        return new ExperimentSpec(schemaVersion, kind, model, data, teacher, quantization, distillation, t);
    }

    /** The same student with other bits, IRM and DGD (an ablation cell). */
    public ExperimentSpec withStudent(QuantizationConfig q, DistillationSettings d) {
        return new ExperimentSpec(schemaVersion, Kind.STUDENT, model, data, teacher, q, d, training);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the experiment as JSON", e);
        }
    }

    /**
     * Reads a spec written by {@link #toJson()}.
     *
     * @throws InvalidExperimentException when the text is not such a spec, or describes a run that cannot start
     */
    public static ExperimentSpec fromJson(String json) {
        ExperimentSpec spec;
        try {
            spec = JSON.readValue(json, ExperimentSpec.class);
        } catch (JsonProcessingException e) {
            throw new InvalidExperimentException("it is not an experiment description: " + firstLine(e));
        }
        if (spec == null) {
            throw new InvalidExperimentException("it is empty");
        }
        return spec.requireValid();
    }

    private static String firstLine(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            m = cause.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
