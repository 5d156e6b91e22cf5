package dev.qvit.app.fx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvit.model.io.Safetensors;
import dev.qvit.sessions.SessionsRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the window remembers across restarts ({@code ~/qvit/workbench.json}, or in {@code $QVIT_HOME}): the sessions
 * folder and the last session. An unreadable file is ignored (the defaults apply) and written over on the next change.
 *
 * @param sessionsRoot      null: the default ({@link SessionsRoot#ofUser()})
 * @param lastSession       the id of the last session run or opened, or null
 * @param reopenLastSession whether the window reopens it when it starts
 */
public record WorkbenchSettings(String sessionsRoot, String lastSession, boolean reopenLastSession) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Path file() {
        String home = System.getenv("QVIT_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), "qvit");
        return base.resolve("workbench.json");
    }

    /** The saved settings, or the defaults (the reopen default can be turned off with -Dqvit.reopenLastSession=false). */
    static WorkbenchSettings load() {
        boolean reopen = Boolean.parseBoolean(System.getProperty("qvit.reopenLastSession", "true"));
        try {
            WorkbenchSettings s = JSON.readValue(Files.readString(file(), StandardCharsets.UTF_8), WorkbenchSettings.class);
            return new WorkbenchSettings(s.sessionsRoot(), s.lastSession(), s.reopenLastSession() && reopen);
        } catch (IOException | RuntimeException e) {
            return new WorkbenchSettings(null, null, reopen);
        }
    }

    void save() throws IOException {
        Safetensors.writeAtomically(file(), JSON.writeValueAsBytes(this));
    }

    SessionsRoot root() {
        return sessionsRoot == null ? SessionsRoot.ofUser() : new SessionsRoot(Path.of(sessionsRoot));
    }

    WorkbenchSettings withLastSession(String id) {
        return new WorkbenchSettings(sessionsRoot, id, reopenLastSession);
    }

    WorkbenchSettings withSessionsRoot(Path dir) {
        return new WorkbenchSettings(dir.toAbsolutePath().toString(), null, reopenLastSession);
    }
}
