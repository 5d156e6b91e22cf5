package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.InvalidExperimentException;
import dev.qvit.model.io.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The small text files of a session folder, read with a message naming the file and written atomically. */
final class SessionFiles {
    static final String INFO = "session.json";
    static final String SPEC = "spec.json";
    static final String NOTES = "notes.md";
    static final String CHECKPOINTS = "checkpoints";
    static final String PROBES = "probes";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private SessionFiles() {
    }

    static void writeText(Path file, String text) throws SessionException {
        try {
            Safetensors.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SessionException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void writeInfo(Path dir, SessionInfo info) throws SessionException {
        try {
            writeText(dir.resolve(INFO), JSON.writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static SessionInfo readInfo(Path dir) throws SessionException {
        Path f = dir.resolve(INFO);
        SessionInfo info;
        try {
            info = JSON.readValue(read(f), SessionInfo.class);
        } catch (JsonProcessingException e) {
            throw new SessionException(f + " is not a session description: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (info == null || !SessionInfo.FORMAT.equals(info.format()) || info.id() == null) {
            throw new SessionException(f + " is not a session description (format qvit-session expected)");
        }
        if (info.schemaVersion() > SessionInfo.SCHEMA_VERSION) {
            throw new SessionException("%s was written by a newer workbench (schema %d; this one reads up to %d)"
                    .formatted(f, info.schemaVersion(), SessionInfo.SCHEMA_VERSION));
        }
        return info;
    }

    static ExperimentSpec readSpec(Path dir) throws SessionException {
        Path f = dir.resolve(SPEC);
        try {
            return ExperimentSpec.fromJson(read(f));
        } catch (InvalidExperimentException e) {
            throw new SessionException(f + ": " + e.getMessage());
        }
    }

    static String read(Path f) throws SessionException {
        try {
            if (Files.size(f) > 16 << 20) {
                throw new SessionException(f + " is too large to be a session file (" + Files.size(f) + " bytes)");
            }
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SessionException(f + " is missing: this folder is not a complete session");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new SessionException(f + " is not UTF-8 text");
        } catch (IOException e) {
            throw new SessionException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
