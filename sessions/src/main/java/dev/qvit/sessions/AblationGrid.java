package dev.qvit.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.ExperimentSpec;
import dev.qvit.model.experiment.Variant;
import dev.qvit.model.quant.QuantizationConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An ablation grid kept under a sessions root: its plan in {@code .grids/ID/grid.json}, the cell table
 * {@code cells.tsv} next to it (index, cell, session: what a Slurm array task reads), and each cell a session of its
 * own named {@code ID.CELL} (e.g. {@code grid1.w4-irm+dgd-seed0}). What a cell has done is what its session says, so
 * whoever ran it (this window, another process, an array task on another node) the grid sees it.
 */
public final class AblationGrid {
    /** The folder under a sessions root that holds the grids. */
    public static final String GRIDS = ".grids";
    static final String PLAN = "grid.json";
    static final String CELLS = "cells.tsv";
    /** A finished cell's measurements, in its session folder. */
    static final String CELL_RESULT = "cell.json";
    static final String FORMAT = "qvit-grid";
    /** The message of a stopped cell whose training finished: the next run only measures it. */
    public static final String TRAINED_NOT_MEASURED = "trained, not yet measured";
    /** The message of a finished cell measured by an older workbench: the next run measures it again. */
    public static final String MEASURED_BEFORE = "trained, measured by an older workbench";
    static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final SessionsRoot root;
    private final String id;
    private final Path dir;
    private final GridFile file;
    private final AblationPlan plan;

    /** One cell of the grid and the session it runs in. */
    public record GridCell(int index, AblationPlan.Cell cell, String session) {
        public String label() {
            return cell.spec().label() + " seed " + cell.seed();
        }
    }

    /** What a cell's session says about it. */
    public enum CellState { PENDING, RUNNING, STOPPED, FINISHED, FAILED }

    /** A cell's state with how far it got. */
    public record CellStatus(GridCell cell, CellState state, long steps, long totalSteps, double seconds,
                             String message) {
        public double fraction() {
            return totalSteps <= 0 ? 0 : Math.min(1, (double) steps / totalSteps);
        }
    }

    /** grid.json. */
    record GridFile(String format, int schemaVersion, String id, String name, String created, JsonNode base,
                    List<Integer> bits, List<String> variants, List<Long> seeds, String irmForm, int probeImages) {
    }

    private AblationGrid(SessionsRoot root, String id, Path dir, GridFile file, AblationPlan plan) {
        this.root = root;
        this.id = id;
        this.dir = dir;
        this.file = file;
        this.plan = plan;
    }

    /** Writes a new grid of {@code plan} under {@code root}. */
    public static AblationGrid create(SessionsRoot root, String id, String name, AblationPlan plan)
            throws SessionException {
        Path dir = folder(root, id);
        if (Files.exists(dir.resolve(PLAN))) {
            throw new SessionException("a grid " + id + " already exists in " + root.dir() + ": choose another name");
        }
        GridFile file;
        try {
            file = new GridFile(FORMAT, SCHEMA_VERSION, id, name == null ? id : name, Instant.now().toString(),
                    JSON.readTree(plan.base().toJson()), plan.bits(),
                    plan.variants().stream().map(Variant::label).toList(), plan.seeds(),
                    plan.irmForm().name().toLowerCase(Locale.ROOT), plan.probeImages());
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SessionException("cannot create the grid folder " + dir + ": " + e.getMessage(), e);
        }
        AblationGrid grid = new AblationGrid(root, id, dir, file, plan);
        grid.writeCellTable();
        try {
            SessionFiles.writeText(dir.resolve(PLAN), JSON.writeValueAsString(file));     // last: marks it a grid
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return grid;
    }

    /** Opens grid {@code id}. @throws SessionException naming what is missing or wrong */
    public static AblationGrid open(SessionsRoot root, String id) throws SessionException {
        Path dir = folder(root, id);
        Path f = dir.resolve(PLAN);
        if (!Files.exists(f)) {
            throw new SessionException("there is no grid " + id + " in " + root.dir().resolve(GRIDS));
        }
        GridFile file;
        try {
            file = JSON.readValue(f.toFile(), GridFile.class);
        } catch (IOException e) {
            throw new SessionException(f + " is not a grid description: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
        if (file == null || !FORMAT.equals(file.format()) || file.base() == null) {
            throw new SessionException(f + " is not a grid description (format qvit-grid expected)");
        }
        if (file.schemaVersion() > SCHEMA_VERSION) {
            throw new SessionException("%s was written by a newer workbench (grid schema %d; this one reads up to %d)"
                    .formatted(f, file.schemaVersion(), SCHEMA_VERSION));
        }
        try {
            AblationPlan plan = new AblationPlan(ExperimentSpec.fromJson(file.base().toString()), file.bits(),
                    file.variants().stream().map(Variant::parse).toList(), file.seeds(),
                    QuantizationConfig.Rectification.parse(file.irmForm()), file.probeImages());
            return new AblationGrid(root, id, dir, file, plan);
        } catch (IllegalArgumentException e) {
            throw new SessionException(f + " describes a grid this workbench cannot run: " + e.getMessage(), e);
        }
    }

    /** The ids of the grids under {@code root}, newest first. */
    public static List<String> list(SessionsRoot root) throws SessionException {
        Path grids = root.dir().resolve(GRIDS);
        if (!Files.isDirectory(grids)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(grids)) {
            return s.filter(p -> Files.exists(p.resolve(PLAN)))
                    .sorted(Comparator.comparing((Path p) -> p.resolve(PLAN).toFile().lastModified()).reversed())
                    .map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new SessionException("cannot list " + grids + ": " + e.getMessage(), e);
        }
    }

    private static Path folder(SessionsRoot root, String id) throws SessionException {
        root.folder(id);                                             // the same rules as a session id
        if (id.length() > 60) {
            throw new SessionException("a grid id has at most 60 characters (its cells' session ids add the cell)");
        }
        return root.dir().resolve(GRIDS).resolve(id);
    }

    private void writeCellTable() throws SessionException {
        StringBuilder t = new StringBuilder("index\tcell\tsession\tbits\tvariant\tseed\n");
        for (GridCell c : cells()) {
            t.append(c.index()).append('\t').append(c.cell().key()).append('\t').append(c.session()).append('\t')
                    .append(c.cell().bits()).append('\t').append(c.cell().variant().label()).append('\t')
                    .append(c.cell().seed()).append('\n');
        }
        SessionFiles.writeText(dir.resolve(CELLS), t.toString());
    }

    public String id() {
        return id;
    }

    public String name() {
        return file.name();
    }

    public Path dir() {
        return dir;
    }

    public SessionsRoot root() {
        return root;
    }

    public AblationPlan plan() {
        return plan;
    }

    /** Every cell in plan order (bits, variants, seeds), numbered from 0 as the array tasks are. */
    public List<GridCell> cells() {
        List<AblationPlan.Cell> cells = plan.cells();
        List<GridCell> out = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            out.add(new GridCell(i, cells.get(i), id + "." + cells.get(i).key()));
        }
        return out;
    }

    public GridCell cell(int index) throws SessionException {
        List<GridCell> all = cells();
        if (index < 0 || index >= all.size()) {
            throw new SessionException("grid %s has cells 0 to %d, not %d".formatted(id, all.size() - 1, index));
        }
        return all.get(index);
    }

    /** What the cell's session says: pending without one, finished only once its measurements are written. */
    public CellStatus status(GridCell c) throws SessionException {
        return status(c, result(c));
    }

    private CellStatus status(GridCell c, Optional<CellResult> result) throws SessionException {
        Path folder = root.folder(c.session());
        if (!Files.exists(folder.resolve(SessionFiles.INFO))) {
            return new CellStatus(c, CellState.PENDING, 0, 0, 0, null);
        }
        try (SessionView v = SessionView.open(folder)) {
            long steps = v.stepCount();
            long total = v.totalSteps();
            double seconds = v.elapsedSeconds();
            return switch (v.state()) {
                case RUNNING -> new CellStatus(c, CellState.RUNNING, steps, total, seconds, null);
                case CRASHED, CANCELLED -> new CellStatus(c, CellState.STOPPED, steps, total, seconds,
                        v.statusMessage().orElse(null));
                case FAILED -> new CellStatus(c, CellState.FAILED, steps, total, seconds,
                        v.statusMessage().orElse(null));
                case FINISHED -> result.isEmpty()
                        ? new CellStatus(c, CellState.STOPPED, steps, total, seconds, TRAINED_NOT_MEASURED)
                        : result.get().measurement() < CellResult.MEASUREMENT
                        ? new CellStatus(c, CellState.STOPPED, steps, total, seconds, MEASURED_BEFORE)
                        : new CellStatus(c, CellState.FINISHED, steps, total, seconds, null);
            };
        }
    }

    public List<CellStatus> statuses() throws SessionException {
        List<CellStatus> out = new ArrayList<>();
        for (GridCell c : cells()) {
            out.add(status(c));
        }
        return out;
    }

    /** Every cell's status and the measurements written so far, in plan order. */
    public record Progress(List<CellStatus> statuses, List<CellResult> results) {
    }

    /** {@link #statuses} and {@link #results} together, each cell's files read once (what a view refreshes). */
    public Progress progress() throws SessionException {
        List<CellStatus> statuses = new ArrayList<>();
        List<CellResult> results = new ArrayList<>();
        for (GridCell c : cells()) {
            Optional<CellResult> r = result(c);
            statuses.add(status(c, r));
            r.ifPresent(results::add);
        }
        return new Progress(List.copyOf(statuses), List.copyOf(results));
    }

    /** The measurements of a finished cell, empty before. */
    public Optional<CellResult> result(GridCell c) throws SessionException {
        Path f = root.folder(c.session()).resolve(CELL_RESULT);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), CellResult.class));
        } catch (IOException e) {
            throw new SessionException(f + " is not a cell's measurements: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
    }

    /** A cell's measurements as {@code cell.json} holds them (e.g. a copy shipped with the workbench). */
    public static CellResult readResult(java.io.InputStream in, String where) throws SessionException {
        try {
            return JSON.readValue(in, CellResult.class);
        } catch (IOException e) {
            throw new SessionException(where + " is not a cell's measurements: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
    }

    /** Every finished cell's measurements, in plan order. */
    public List<CellResult> results() throws SessionException {
        List<CellResult> out = new ArrayList<>();
        for (GridCell c : cells()) {
            result(c).ifPresent(out::add);
        }
        return out;
    }

    static void writeResult(Path sessionFolder, CellResult result) throws SessionException {
        try {
            SessionFiles.writeText(sessionFolder.resolve(CELL_RESULT), JSON.writeValueAsString(result));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the cell's measurements as JSON", e);
        }
    }
}
