package dev.qvit.sessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An sbatch array script for a grid: one array task per cell ({@code --array=0-N%P}), each running exactly that cell
 * into its own session with {@code qvit ablate --grid ID --cell $SLURM_ARRAY_TASK_ID}. The sessions root must lie on
 * a file system every node sees; the cell table {@code cells.tsv} next to the script says which task is which cell.
 *
 * @param launcher    the {@code qvit} launcher as the nodes see it (a script or program taking qvit's arguments)
 * @param partition   null for the cluster's default
 * @param time        wall-time limit per task, as sbatch reads it (e.g. "02:00:00")
 * @param cpus        cores per task (the cell trains on that many threads)
 * @param memory      memory per task, as sbatch reads it (e.g. "4G")
 * @param maxParallel tasks running at once (the {@code %P} of the array)
 */
public record SlurmArray(Path launcher, String partition, String time, int cpus, String memory, int maxParallel) {
    /** The script's name in the grid folder. */
    public static final String SCRIPT = "ablate.sbatch";

    public SlurmArray {
        if (cpus < 1 || maxParallel < 1) {
            throw new IllegalArgumentException("a Slurm task needs at least 1 CPU and 1 task at a time, got %d and %d"
                    .formatted(cpus, maxParallel));
        }
        for (String v : new String[] {time, memory, partition}) {
            if (v != null && !v.matches("[A-Za-z0-9:_.,\\-]+")) {
                throw new IllegalArgumentException("'" + v + "' is not a value sbatch takes here");
            }
        }
    }

    /**
     * The launcher array tasks run: {@code -Dqvit.launcher} if set (a program taking qvit's arguments, as the Slurm
     * integration test uses), else the project's {@code ./qvit} (whose folder the launcher passes as
     * {@code -Dqvit.project.root}).
     */
    public static Path defaultLauncher() {
        String set = System.getProperty("qvit.launcher");
        return set != null ? Path.of(set) : Path.of(System.getProperty("qvit.project.root", ".")).resolve("qvit")
                .toAbsolutePath().normalize();
    }

    /** The script's text for {@code grid}, whose cells are pending. */
    public String script(AblationGrid grid, List<Integer> cells) {
        String tasks = ranges(cells) + "%" + maxParallel;
        Path logs = grid.dir().toAbsolutePath().resolve("logs");
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Q-ViT ablation grid ").append(grid.id()).append(": one array task per cell of cells.tsv\n");
        s.append("#SBATCH --job-name=qvit-").append(grid.id()).append('\n');
        s.append("#SBATCH --array=").append(tasks).append('\n');
        s.append("#SBATCH --ntasks=1\n");
        s.append("#SBATCH --cpus-per-task=").append(cpus).append('\n');
        s.append("#SBATCH --mem=").append(memory).append('\n');
        s.append("#SBATCH --time=").append(time).append('\n');
        if (partition != null) {
            s.append("#SBATCH --partition=").append(partition).append('\n');
        }
        s.append("#SBATCH --output=").append(logs).append("/cell-%a.out\n");
        s.append("set -euo pipefail\n");
        s.append("exec ").append(quote(launcher.toAbsolutePath().toString())).append(" ablate --sessions ")
                .append(quote(grid.root().dir().toAbsolutePath().toString())).append(" --grid ").append(grid.id())
                .append(" --cell \"$SLURM_ARRAY_TASK_ID\" --threads ").append(cpus).append('\n');
        return s.toString();
    }

    /** Writes the script into the grid's folder (and its log folder). @return the script */
    public Path write(AblationGrid grid, List<Integer> cells) throws SessionException {
        if (cells.isEmpty()) {
            throw new SessionException("every cell of grid " + grid.id() + " has finished or runs: nothing to submit");
        }
        Path file = grid.dir().resolve(SCRIPT);
        try {
            Files.createDirectories(grid.dir().resolve("logs"));
        } catch (java.io.IOException e) {
            throw new SessionException("cannot create " + grid.dir().resolve("logs") + ": " + e.getMessage(), e);
        }
        SessionFiles.writeText(file, script(grid, cells));
        return file;
    }

    /** 0,1,2,5,7,8 -> "0-2,5,7-8". */
    static String ranges(List<Integer> cells) {
        List<String> parts = new ArrayList<>();
        List<Integer> sorted = cells.stream().sorted().distinct().toList();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            parts.add(i == j ? String.valueOf(sorted.get(i)) : sorted.get(i) + "-" + sorted.get(j));
            i = j + 1;
        }
        return String.join(",", parts);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
