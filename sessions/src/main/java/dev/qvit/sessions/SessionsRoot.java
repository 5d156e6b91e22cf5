package dev.qvit.sessions;

import dev.qvit.model.experiment.ExperimentSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder that holds sessions, one sub-folder each, named by the session's id. Ids are made of safe characters
 * and must resolve to a direct child of the root: no user input reaches a path outside it.
 */
public final class SessionsRoot {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    /** Seconds between probe snapshots a session keeps (plus the run's last). */
    public static final double DEFAULT_PROBE_SECONDS = 20;

    private final Path dir;

    public SessionsRoot(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** {@code $QVIT_HOME/sessions} or {@code ~/qvit/sessions}. */
    public static SessionsRoot ofUser() {
        String home = System.getenv("QVIT_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), "qvit");
        return new SessionsRoot(base.resolve("sessions"));
    }

    public Path dir() {
        return dir;
    }

    /** The folder of session {@code id}. @throws SessionException when the id could name anything else */
    public Path folder(String id) throws SessionException {
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw new SessionException("'" + id + "' is not a session id: ids are letters, digits and . _ + - "
                    + "(at most 100, starting with a letter or digit), as ./qvit sessions lists them");
        }
        Path f = dir.resolve(id).normalize();
        if (!dir.equals(f.getParent())) {
            throw new SessionException("'" + id + "' would lie outside the sessions folder " + dir);
        }
        return f;
    }

    /** A new session for {@code spec}, opened for writing. {@code id} null: a fresh one from the time and label. */
    public Session create(ExperimentSpec spec, String id, String name, double probeSeconds) throws SessionException {
        spec.requireValid();
        String chosen = id != null ? id : freshId(spec);
        Path folder = folder(chosen);
        try {
            Files.createDirectories(dir);
            Files.createDirectory(folder);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new SessionException("a session " + chosen + " already exists in " + dir + ": choose another name");
        } catch (IOException e) {
            throw new SessionException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        SessionLock lock = SessionLock.acquire(folder, chosen);
        try {
            SessionInfo info = new SessionInfo(SessionInfo.FORMAT, SessionInfo.SCHEMA_VERSION, chosen,
                    name != null ? name : spec.label(), java.time.Instant.now().toString());
            SessionFiles.writeText(folder.resolve(SessionFiles.SPEC), spec.toJson());
            MetricsStore store = MetricsStore.create(folder);
            SessionFiles.writeInfo(folder, info);              // last: a folder without it is not a session yet
            return new Session(folder, info, spec, lock, store, probeSeconds);
        } catch (SessionException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private String freshId(ExperimentSpec spec) {
        String base = LocalDateTime.now().format(STAMP) + "-" + spec.shortName();
        String id = base;
        for (int n = 2; Files.exists(dir.resolve(id)); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    /** Opens session {@code id} for its one writer. @throws SessionBusyException when another one holds it */
    public Session openForWriting(String id, double probeSeconds) throws SessionException {
        Path folder = existing(id);
        SessionLock lock = SessionLock.acquire(folder, id);
        try {
            SessionInfo info = SessionFiles.readInfo(folder);
            return new Session(folder, info, SessionFiles.readSpec(folder), lock, MetricsStore.open(folder, true),
                    probeSeconds);
        } catch (SessionException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Opens session {@code id} for reading. */
    public SessionView view(String id) throws SessionException {
        return SessionView.open(existing(id));
    }

    private Path existing(String id) throws SessionException {
        Path folder = folder(id);
        if (!Files.isDirectory(folder)) {
            throw new SessionException("there is no session " + id + " in " + dir + " (./qvit sessions lists them)");
        }
        return folder;
    }

    /** Every session folder, newest first (by creation); one that cannot be read is listed with its problem. */
    public List<SessionSummary> list() throws SessionException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(dir)) {
            folders = s.filter(Files::isDirectory).filter(p -> ID.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            throw new SessionException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<SessionSummary> out = new ArrayList<>();
        for (Path f : folders) {
            String id = f.getFileName().toString();
            try (SessionView v = SessionView.open(f)) {
                out.add(SessionSummary.of(v));
            } catch (SessionException e) {
                out.add(SessionSummary.unreadable(id, e.getMessage()));
            }
        }
        out.sort(Comparator.comparing((SessionSummary s) -> s.created() == null ? "" : s.created()).reversed());
        return out;
    }

    /** Gives session {@code id} another display name (its folder keeps its id). */
    public void rename(String id, String name) throws SessionException {
        if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new SessionException("a session name is 1 to 200 printable characters");
        }
        Path folder = existing(id);
        try (SessionLock lock = SessionLock.acquire(folder, id)) {
            SessionFiles.writeInfo(folder, SessionFiles.readInfo(folder).withName(name.strip()));
        }
    }

    /** Replaces the notes of session {@code id} ({@code notes.md}, written atomically; the run never writes it). */
    public void writeNotes(String id, String notes) throws SessionException {
        Path folder = existing(id);
        SessionFiles.readInfo(folder);
        SessionFiles.writeText(folder.resolve(SessionFiles.NOTES), notes);
    }

    /** Deletes session {@code id} and everything in its folder; refused while it is being written. */
    public void delete(String id) throws SessionException {
        Path folder = existing(id);
        SessionFiles.readInfo(folder);                         // only ever a session's folder
        try (SessionLock lock = SessionLock.acquire(folder, id)) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(folder) && !p.getFileName().toString().equals(SessionLock.FILE)) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new SessionException("cannot delete " + folder + ": " + e.getMessage(), e);
        }
        try {
            Files.deleteIfExists(folder.resolve(SessionLock.FILE));
            Files.delete(folder);
        } catch (IOException e) {
            throw new SessionException("cannot delete " + folder + ": " + e.getMessage(), e);
        }
    }
}
