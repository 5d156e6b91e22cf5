package dev.qvit.sessions;

import dev.qvit.model.data.BatchLoader;
import dev.qvit.model.data.FashionMnist;
import dev.qvit.model.experiment.CellAnalysis;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.ExperimentRun;
import dev.qvit.model.experiment.RunEvent;
import dev.qvit.model.experiment.RunOptions;
import dev.qvit.model.experiment.TrainingState;
import dev.qvit.model.train.RunControl;
import dev.qvit.records.EpochMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the cells of an {@link AblationGrid}, each into its own session: a pending cell starts, a stopped or crashed
 * one goes on from its last checkpoint, a finished one is never run again, one that another process is running is
 * left to it. The window's queue, {@code qvit ablate} and a Slurm array task all run cells through this class.
 * Training thread only.
 */
public final class GridRunner {
    /** Checkpoints of a cell by default: every this many steps and at every epoch's end. */
    public static final int CHECKPOINT_EVERY = 100;
    private int checkpointEvery = CHECKPOINT_EVERY;
    private final AblationGrid grid;
    private final ExperimentRun.Teacher teacher;
    private final FashionMnist.Splits data;
    private final int threads;
    private final double probeSeconds;

    /** What a queue shows of the cells it runs. Called on the training thread. */
    public interface Listener {
        default void cellStarted(AblationGrid.GridCell cell, long fromStep) {
        }

        default void event(AblationGrid.GridCell cell, RunEvent event) {
        }

        default void cellFinished(AblationGrid.GridCell cell, CellResult result) {
        }

        default void cellSkipped(AblationGrid.CellStatus status) {
        }
    }

    /**
     * @param teacher the grid's teacher (a resumed cell uses the copy its session kept)
     * @param data    the grid's data, loaded once with {@link ExperimentRun#loadData}
     */
    public GridRunner(AblationGrid grid, ExperimentRun.Teacher teacher, FashionMnist.Splits data, int threads,
                      double probeSeconds) {
        this.grid = grid;
        this.teacher = teacher;
        this.data = data;
        this.threads = threads;
        this.probeSeconds = probeSeconds;
    }

    /** Checkpoints every {@code steps} steps (and at epoch ends) instead of every {@value #CHECKPOINT_EVERY}. */
    public GridRunner checkpointingEvery(int steps) {
        this.checkpointEvery = steps;
        return this;
    }

    /**
     * Runs every cell that is pending or stopped, in grid order, until all are done or {@code control} is
     * cancelled. @return the cells finished by this call
     */
    public List<CellResult> runAll(Listener listener, RunControl control) throws SessionException, InterruptedException {
        List<CellResult> out = new ArrayList<>();
        for (AblationGrid.GridCell c : grid.cells()) {
            if (control.isCancelled()) {
                break;
            }
            AblationGrid.CellStatus status = grid.status(c);
            if (status.state() == AblationGrid.CellState.PENDING || status.state() == AblationGrid.CellState.STOPPED) {
                run(c, listener, control).ifPresent(out::add);
            } else {
                listener.cellSkipped(status);
            }
        }
        return out;
    }

    /**
     * Runs one cell to its end. A finished cell gives its stored result without training; one that another process
     * holds is refused. @return empty when cancelled
     * @throws SessionBusyException when another process runs the cell
     */
    public Optional<CellResult> run(AblationGrid.GridCell c, Listener listener, RunControl control)
            throws SessionException, InterruptedException {
        AblationGrid.CellStatus status = grid.status(c);
        switch (status.state()) {
            case FINISHED:
                return grid.result(c);
            case FAILED:
                throw new SessionException("cell %d (%s) failed: %s; delete its session %s to run it again"
                        .formatted(c.index(), c.label(), status.message(), c.session()));
            default:
                break;
        }
        SessionsRoot root = grid.root();
        boolean fresh = status.state() == AblationGrid.CellState.PENDING;
        Session session = fresh ? root.create(c.cell().spec(), c.session(), c.label(), probeSeconds)
                : root.openForWriting(c.session(), probeSeconds);
        try {
            if (!fresh && !sameExperiment(session.spec(), c.cell().spec())) {
                throw new SessionException("session " + c.session() + " holds another experiment than cell "
                        + c.index() + " of grid " + grid.id() + ": rename or delete it");
            }
            if (AblationGrid.TRAINED_NOT_MEASURED.equals(status.message())
                    || AblationGrid.MEASURED_BEFORE.equals(status.message())) {
                CellResult measured = measureFinished(c, session);
                listener.cellFinished(c, measured);
                return Optional.of(measured);
            }
            RunOptions options = RunOptions.headless(threads).probingEvery(Math.round(probeSeconds * 1000));
            SessionRun run = fresh ? SessionRun.start(session, c.cell().spec(), teacher, options, checkpointEvery, data)
                    : SessionRun.resume(session, teacher, options, checkpointEvery, data);
            listener.cellStarted(c, run.fromStep());
            double[] lastDistillation = {Double.NaN};
            ExperimentRun.Result result = run.run(e -> {
                if (e instanceof RunEvent.Step s && s.metrics().distillation() != null) {
                    lastDistillation[0] = s.metrics().distillation().total();
                }
                listener.event(c, e);
            }, control);
            if (result.summary().cancelled()) {
                return Optional.empty();
            }
            List<EpochMetrics> epochs = result.summary().epochs();
            CellResult measured = CellAnalysis.measure(c.cell(), grid.plan(), run.teacher().model(),
                    result.model(), probeImages(), new CellAnalysis.Run(epochs, lastDistillation[0],
                            run.experiment().weightOscillation().rates(), epochs.get(epochs.size() - 1).elapsedSeconds(),
                            c.session()));
            AblationGrid.writeResult(session.dir(), measured);
            listener.cellFinished(c, measured);
            return Optional.of(measured);
        } finally {
            session.close();
        }
    }

    /**
     * A cell whose training finished but whose process ended before it was measured, or that an older workbench
     * measured: measure its last model (the same model the run ended with). What only the run could measure (the
     * weight oscillation, the last L_DGD, the time) is kept from earlier measurements where there are any.
     */
    private CellResult measureFinished(AblationGrid.GridCell c, Session session) throws SessionException {
        Optional<CellResult> before = grid.result(c);
        try (SessionView view = SessionView.open(session.dir())) {
            TrainingState last = view.lastCheckpoint().orElseThrow(() -> new SessionException("session "
                    + c.session() + " finished without a checkpoint: delete it to run the cell again"));
            dev.qvit.model.vit.Backbone student = last.model(session.spec());                // the spec names the model
            ExperimentRun.Teacher t = session.keptTeacher().orElse(teacher);
            List<EpochMetrics> epochs = view.epochs();
            Map<String, Double> oscillation = new java.util.HashMap<>();
            before.ifPresent(b -> b.diagnostics().forEach(d -> oscillation.put(d.tensor(), d.oscillation())));
            CellResult measured = CellAnalysis.measure(c.cell(), grid.plan(), t.model(), student, probeImages(),
                    new CellAnalysis.Run(epochs, before.map(CellResult::distillation).orElse(Double.NaN), oscillation,
                            before.map(CellResult::seconds).orElse(epochs.get(epochs.size() - 1).elapsedSeconds()),
                            c.session()));
            AblationGrid.writeResult(session.dir(), measured);
            return measured;
        }
    }

    /** A session's spec names the model its run took from the teacher where the grid's plan left it open. */
    static boolean sameExperiment(dev.qvit.model.experiment.ExperimentSpec session,
                                  dev.qvit.model.experiment.ExperimentSpec cell) {
        return cell.model() == null ? session.withModel(null).equals(cell) : session.equals(cell);
    }

    private org.nd4j.linalg.api.ndarray.INDArray probeImages() {
        return BatchLoader.firstImages(data.test(), grid.plan().probeImages());
    }
}
