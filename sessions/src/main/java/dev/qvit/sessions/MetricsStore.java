package dev.qvit.sessions;

import dev.qvit.records.DistillationLoss;
import dev.qvit.records.EpochMetrics;
import dev.qvit.records.StepMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session's numbers in SQLite ({@code metrics.sqlite}): every logged step with DGD per layer and head, every
 * epoch, the checkpoints and probe snapshots written, and the run's state. Rollback-journal mode with full sync, so
 * that a folder on a network file system shared by cluster nodes stays consistent; one writer (the session's lock
 * holder), any number of readers. The schema is documented in docs/sessions.md.
 */
public final class MetricsStore implements AutoCloseable {
    /** The schema this version writes; older ones are migrated when opened for writing, newer ones refused. */
    public static final int SCHEMA_VERSION = 1;
    static final String FILE = "metrics.sqlite";

    private static final String[] SCHEMA = {
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE status (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, message TEXT, "
                + "updated TEXT NOT NULL)",
        "CREATE TABLE steps (step INTEGER PRIMARY KEY, total_steps INTEGER NOT NULL, epoch INTEGER NOT NULL, "
                + "loss REAL, task_loss REAL, accuracy REAL, learning_rate REAL, gradient_norm REAL, "
                + "images_per_second REAL, elapsed_seconds REAL)",
        "CREATE TABLE distillation (step INTEGER NOT NULL, tensor TEXT NOT NULL CHECK (tensor IN ('q', 'k')), "
                + "layer INTEGER NOT NULL, head INTEGER NOT NULL, value REAL NOT NULL, "
                + "PRIMARY KEY (step, tensor, layer, head))",
        "CREATE TABLE epochs (epoch INTEGER PRIMARY KEY, train_loss REAL, train_accuracy REAL, test_loss REAL, "
                + "test_accuracy REAL, images_per_second REAL, elapsed_seconds REAL)",
        "CREATE TABLE checkpoints (step INTEGER PRIMARY KEY, epochs INTEGER NOT NULL, file TEXT NOT NULL, "
                + "bytes INTEGER NOT NULL, seconds REAL NOT NULL, written TEXT NOT NULL)",
        "CREATE TABLE probes (step INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, file TEXT NOT NULL, "
                + "bytes INTEGER NOT NULL, seconds REAL NOT NULL)",
    };

    /** What the status table says; a session recorded as running whose lock nobody holds has crashed. */
    public enum State { RUNNING, FINISHED, CANCELLED, FAILED, CRASHED }

    /** A checkpoint or probe file the store records. */
    public record FileRow(long step, int epoch, String file, long bytes, double seconds) {
    }

    private final Path file;
    private final Connection db;
    private final boolean writable;

    private MetricsStore(Path file, Connection db, boolean writable) {
        this.file = file;
        this.db = db;
        this.writable = writable;
    }

    /** Creates the store of a new session. */
    static MetricsStore create(Path dir) throws SessionException {
        Path f = dir.resolve(FILE);
        if (Files.exists(f)) {
            throw new SessionException(f + " already exists");
        }
        MetricsStore s = connect(f, true);
        try (Statement st = s.db.createStatement()) {
            for (String sql : SCHEMA) {
                st.execute(sql);
            }
            st.execute("INSERT INTO meta VALUES ('schemaVersion', '" + SCHEMA_VERSION + "')");
            st.execute("INSERT INTO meta VALUES ('created', '" + Instant.now() + "')");
            st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            s.db.commit();
        } catch (SQLException e) {
            s.closeQuietly();
            throw new SessionException("cannot create " + f + ": " + e.getMessage(), e);
        }
        s.setState(State.RUNNING, null);
        return s;
    }

    /** Opens an existing store, read-only or for its one writer; checks it is a session store of a known schema. */
    static MetricsStore open(Path dir, boolean writable) throws SessionException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new SessionException(f + " is missing: this folder is not a complete session");
        }
        MetricsStore s = connect(f, writable);
        try {
            int version = s.schemaVersion();
            if (version > SCHEMA_VERSION) {
                throw new SessionException("%s was written by a newer workbench (schema %d; this one reads up to %d)"
                        .formatted(f, version, SCHEMA_VERSION));
            }
            if (version < 1) {
                throw new SessionException(f + " is not a session's metrics store (no schema version)");
            }
            if (version < SCHEMA_VERSION && writable) {
                s.migrate(version);
            }
            return s;
        } catch (SessionException e) {
            s.closeQuietly();
            throw e;
        }
    }

    private static MetricsStore connect(Path f, boolean writable) throws SessionException {
        try {
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setJournalMode(org.sqlite.SQLiteConfig.JournalMode.DELETE);
            config.setSynchronous(org.sqlite.SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(10_000);
            config.setReadOnly(!writable);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + f.toAbsolutePath(), config.toProperties());
            c.setAutoCommit(!writable);          // a reader's shared lock ends with each query: it never blocks the writer
            return new MetricsStore(f, c, writable);
        } catch (SQLException e) {
            throw new SessionException("cannot open " + f + ": " + e.getMessage(), e);
        }
    }

    private int schemaVersion() throws SessionException {
        try (Statement st = db.createStatement();
             ResultSet r = st.executeQuery("SELECT value FROM meta WHERE key = 'schemaVersion'")) {
            return r.next() ? Integer.parseInt(r.getString(1)) : 0;
        } catch (SQLException | NumberFormatException e) {
            throw new SessionException(file + " is not a session's metrics store: " + oneLine(e));
        }
    }

    /** Schema migrations, one per version after 1, applied in order in one transaction. None yet. */
    private void migrate(int from) throws SessionException {
        throw new SessionException("%s has schema %d and no migration to %d exists".formatted(file, from, SCHEMA_VERSION));
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    // ---- writing (the lock holder only) ----

    /** Adds a step's metrics; committed by the next {@link #commit()}. */
    void addStep(StepMetrics m) throws SessionException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO steps VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                p.setLong(1, m.step());
                p.setLong(2, m.totalSteps());
                p.setInt(3, m.epoch());
                p.setDouble(4, m.loss());
                p.setDouble(5, m.taskLoss());
                p.setDouble(6, m.accuracy());
                p.setDouble(7, m.learningRate());
                p.setDouble(8, m.gradientNorm());
                p.setDouble(9, m.imagesPerSecond());
                p.setDouble(10, m.elapsedSeconds());
                p.executeUpdate();
            }
            DistillationLoss d = m.distillation();
            if (d != null) {
                try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO distillation VALUES (?,?,?,?,?)")) {
                    for (int l = 0; l < d.layers(); l++) {
                        for (int h = 0; h < d.heads(l); h++) {
                            addDistillation(p, m.step(), "q", l, h, d.query(l, h));
                            addDistillation(p, m.step(), "k", l, h, d.key(l, h));
                        }
                    }
                    p.executeBatch();
                }
            }
        });
    }

    private static void addDistillation(PreparedStatement p, long step, String tensor, int layer, int head,
                                        double value) throws SQLException {
        p.setLong(1, step);
        p.setString(2, tensor);
        p.setInt(3, layer);
        p.setInt(4, head);
        p.setDouble(5, value);
        p.addBatch();
    }

    void addEpoch(EpochMetrics m) throws SessionException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO epochs VALUES (?,?,?,?,?,?,?)")) {
                p.setInt(1, m.epoch());
                p.setDouble(2, m.trainLoss());
                p.setDouble(3, m.trainAccuracy());
                p.setDouble(4, m.testLoss());
                p.setDouble(5, m.testAccuracy());
                p.setDouble(6, m.imagesPerSecond());
                p.setDouble(7, m.elapsedSeconds());
                p.executeUpdate();
            }
        });
    }

    void addCheckpoint(FileRow row) throws SessionException {
        addFile("checkpoints", row, Instant.now().toString());
    }

    void addProbe(FileRow row) throws SessionException {
        addFile("probes", row, null);
    }

    private void addFile(String table, FileRow row, String written) throws SessionException {
        write(() -> {
            String sql = "INSERT OR REPLACE INTO " + table + " VALUES (?,?,?,?,?" + (written == null ? ")" : ",?)");
            try (PreparedStatement p = db.prepareStatement(sql)) {
                p.setLong(1, row.step());
                p.setInt(2, row.epoch());
                p.setString(3, row.file());
                p.setLong(4, row.bytes());
                p.setDouble(5, row.seconds());
                if (written != null) {
                    p.setString(6, written);
                }
                p.executeUpdate();
            }
        });
    }

    void setState(State state, String message) throws SessionException {
        write(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO status VALUES (1, ?, ?, ?)")) {
                p.setString(1, state.name().toLowerCase(java.util.Locale.ROOT));
                p.setString(2, message);
                p.setString(3, Instant.now().toString());
                p.executeUpdate();
            }
        });
        commit();
    }

    /**
     * Forgets everything after {@code step} (steps, DGD values, epochs past {@code epochs}, probes): a resumed run
     * computes them again, exactly, from the checkpoint at {@code step}.
     */
    void truncateAfter(long step, int epochs) throws SessionException {
        write(() -> {
            try (Statement st = db.createStatement()) {
                st.executeUpdate("DELETE FROM steps WHERE step >= " + step);
                st.executeUpdate("DELETE FROM distillation WHERE step >= " + step);
                st.executeUpdate("DELETE FROM epochs WHERE epoch >= " + epochs);
                st.executeUpdate("DELETE FROM probes WHERE step >= " + step);
                st.executeUpdate("DELETE FROM checkpoints WHERE step > " + step);
            }
        });
        commit();
    }

    /** Makes everything added so far durable, atomically. */
    void commit() throws SessionException {
        write(db::commit);
    }

    private interface Sql {
        void run() throws SQLException;
    }

    private void write(Sql sql) throws SessionException {
        if (!writable) {
            throw new IllegalStateException("the store was opened read-only");
        }
        try {
            sql.run();
        } catch (SQLException e) {
            throw new SessionException("cannot write " + file + ": " + oneLine(e), e);
        }
    }

    // ---- reading ----

    public State recordedState() throws SessionException {
        return query("SELECT state FROM status WHERE id = 1", r -> r.next()
                ? State.valueOf(r.getString(1).toUpperCase(java.util.Locale.ROOT)) : State.CRASHED);
    }

    public Optional<String> statusMessage() throws SessionException {
        return query("SELECT message FROM status WHERE id = 1", r -> r.next() ? Optional.ofNullable(r.getString(1))
                : Optional.empty());
    }

    public List<StepMetrics> steps() throws SessionException {
        int[] heads = distillationHeads();
        int[] offset = new int[heads.length + 1];
        for (int l = 0; l < heads.length; l++) {
            offset[l + 1] = offset[l] + heads[l];
        }
        int entries = offset[heads.length];
        java.util.Map<Long, DistillationLoss> dgd = entries == 0 ? java.util.Map.of()
                : query("SELECT step, tensor, layer, head, value FROM distillation ORDER BY step", r -> {
            java.util.Map<Long, double[][]> values = new java.util.HashMap<>();
            while (r.next()) {
                double[][] qk = values.computeIfAbsent(r.getLong(1),
                        s -> new double[][] {new double[entries], new double[entries]});
                qk[r.getString(2).equals("q") ? 0 : 1][offset[r.getInt(3)] + r.getInt(4)] = r.getDouble(5);
            }
            java.util.Map<Long, DistillationLoss> out = new java.util.HashMap<>();
            values.forEach((step, qk) -> out.put(step, new DistillationLoss(heads, qk[0], qk[1])));
            return out;
        });
        return query("SELECT * FROM steps ORDER BY step", r -> {
            List<StepMetrics> out = new ArrayList<>();
            while (r.next()) {
                out.add(new StepMetrics(r.getLong(1), r.getLong(2), r.getInt(3), r.getDouble(4), r.getDouble(5),
                        r.getDouble(6), r.getDouble(7), r.getDouble(8), r.getDouble(9), r.getDouble(10),
                        dgd.get(r.getLong(1))));
            }
            return out;
        });
    }

    /** The run's planned steps and its elapsed seconds at the last recorded step (0, 0 before the first). */
    double[] progress() throws SessionException {
        return query("SELECT total_steps, elapsed_seconds FROM steps ORDER BY step DESC LIMIT 1", r -> r.next()
                ? new double[] {r.getLong(1), r.getDouble(2)} : new double[] {0, 0});
    }

    long stepCount() throws SessionException {
        return query("SELECT coalesce(max(step) + 1, 0) FROM steps", r -> r.next() ? r.getLong(1) : 0L);
    }

    /** [layers, heads] of the DGD rows, from the largest indices present (0, 0 when none). */
    /** Heads per layer of the recorded DGD terms (Swin's stages differ), empty when none were recorded. */
    private int[] distillationHeads() throws SessionException {
        return query("SELECT layer, max(head) + 1 FROM distillation GROUP BY layer ORDER BY layer", r -> {
            List<Integer> heads = new ArrayList<>();
            while (r.next()) {
                while (heads.size() < r.getInt(1)) {
                    heads.add(0);
                }
                heads.add(r.getInt(2));
            }
            return heads.stream().mapToInt(Integer::intValue).toArray();
        });
    }

    public List<EpochMetrics> epochs() throws SessionException {
        return query("SELECT * FROM epochs ORDER BY epoch", r -> {
            List<EpochMetrics> out = new ArrayList<>();
            while (r.next()) {
                out.add(new EpochMetrics(r.getInt(1), r.getDouble(2), r.getDouble(3), r.getDouble(4), r.getDouble(5),
                        r.getDouble(6), r.getDouble(7)));
            }
            return out;
        });
    }

    public List<FileRow> checkpoints() throws SessionException {
        return files("SELECT step, epochs, file, bytes, seconds FROM checkpoints ORDER BY step");
    }

    public List<FileRow> probes() throws SessionException {
        return files("SELECT step, epoch, file, bytes, seconds FROM probes ORDER BY step");
    }

    private List<FileRow> files(String sql) throws SessionException {
        return query(sql, r -> {
            List<FileRow> out = new ArrayList<>();
            while (r.next()) {
                out.add(new FileRow(r.getLong(1), r.getInt(2), r.getString(3), r.getLong(4), r.getDouble(5)));
            }
            return out;
        });
    }

    private interface Reader<T> {
        T read(ResultSet r) throws SQLException;
    }

    private <T> T query(String sql, Reader<T> reader) throws SessionException {
        try (Statement st = db.createStatement(); ResultSet r = st.executeQuery(sql)) {
            return reader.read(r);
        } catch (SQLException | IllegalArgumentException e) {
            throw new SessionException(file + " cannot be read: " + oneLine(e), e);
        }
    }

    @Override
    public void close() throws SessionException {
        try {
            if (writable && !db.getAutoCommit()) {
                db.commit();
            }
            db.close();
        } catch (SQLException e) {
            throw new SessionException("cannot close " + file + ": " + oneLine(e), e);
        }
    }

    private void closeQuietly() {
        try {
            db.close();
        } catch (SQLException e) {
            // already failing: the first error is the one to report
        }
    }
}
