package dev.qvit.app.cli;

import dev.qvit.model.experiment.AblationPlan;
import dev.qvit.model.experiment.CellResult;
import dev.qvit.model.experiment.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The output folder of {@code qvit ablate}, checked before any cell runs: a new folder, an earlier run of the same
 * grid (resumed: its cells are kept, its tables rewritten), or, with {@code --force}, any folder whose tables and
 * cells are then written over. A folder of the project itself is never written into over its files.
 */
final class AblationFolder {
    private static final Set<String> TABLES = Set.of("results.csv", "results.md", "blocks.csv");

    /** The folder and the finished cells to keep. */
    record Resume(Path dir, List<CellResult> done) {
    }

    private AblationFolder() {
    }

    static Resume open(Outputs outputs, Path requested, AblationPlan plan, boolean force) throws IOException {
        Path dir = outputs.resolve(requested, "ablation");
        boolean earlierGrid = Files.isDirectory(dir.resolve("cells"));
        outputs.folder(dir, "ablation", AblationFolder::ownFile, force || earlierGrid);
        List<CellResult> done = earlierGrid && !force ? AblateCommand.readCells(dir.resolve("cells")) : new ArrayList<>();
        List<CellResult> other = done.stream().filter(c -> !sameGrid(c, plan)).toList();
        if (!other.isEmpty()) {
            CellResult c = other.get(0);
            throw new IllegalArgumentException(("%s holds %d cells of another grid (%s: IRM form %s, lambda %s, %d epochs): "
                    + "resume it with the same --irm-form, --lambda and --epochs, choose another --out, or pass --force to "
                    + "run this grid over it").formatted(dir, other.size(), c.key(), c.irmForm(), c.lambda(), c.epochs().size()));
        }
        return new Resume(dir, done);
    }

    /** What ablate writes: the tables, cells/*.json and students/*.qvit. */
    private static boolean ownFile(Path file) {
        String name = file.getFileName().toString();
        String folder = file.getParent().getFileName().toString();
        return TABLES.contains(name) || folder.equals("cells") && name.endsWith(".json")
                || folder.equals("students") && name.endsWith(".qvit");
    }

    /** A finished cell belongs to the plan when what it was trained with is what the plan asks for. */
    private static boolean sameGrid(CellResult cell, AblationPlan plan) {
        Variant v = Variant.parse(cell.variant());
        boolean form = !v.rectification() || cell.irmForm().equals(plan.irmForm().name().toLowerCase(Locale.ROOT));
        boolean lambda = !v.distillation() || cell.lambda() == plan.lambda();
        return form && lambda && cell.epochs().size() == plan.training().epochs();
    }
}
