package dev.qvit.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Where the commands write, checked before any work starts. Default outputs go to the user's runs folder
 * ({@code ~/qvit/runs}, or {@code $QVIT_HOME/runs}); a command writes over an existing file only when asked
 * ({@code --force}), and never over a file inside the project itself (the folder of {@code ./qvit}, which the
 * launcher passes as {@code -Dqvit.project.root}), whose shipped teacher and pictures the next build packs. The
 * project's {@code runs/} folder is not the project's: it is ignored by git and holds a user's own runs, which an
 * ablation resumes.
 *
 * @param runs        folder of default outputs
 * @param projectRoot the project's folder, null when not run from the launcher (nothing is then protected as such)
 */
public record Outputs(Path runs, Path projectRoot) {
    public static final String PROJECT_ROOT_PROPERTY = "qvit.project.root";

    public Outputs {
        runs = runs.toAbsolutePath().normalize();
        projectRoot = projectRoot == null ? null : real(projectRoot.toAbsolutePath().normalize());
    }

    /** The user's: {@code $QVIT_HOME/runs} or {@code ~/qvit/runs}; the project root from the launcher. */
    public static Outputs ofUser() {
        String home = System.getenv("QVIT_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), "qvit");
        String root = System.getProperty(PROJECT_ROOT_PROPERTY);
        return new Outputs(base.resolve("runs"), root == null || root.isBlank() ? null : Path.of(root));
    }

    /** The default sessions folder, beside the runs folder: {@code ~/qvit/sessions} or {@code $QVIT_HOME/sessions}. */
    public Path sessions() {
        return runs.resolveSibling("sessions");
    }

    /** {@code requested}, or {@code defaultName} in the runs folder. */
    public Path resolve(Path requested, String defaultName) {
        return requested != null ? requested.toAbsolutePath().normalize() : runs.resolve(defaultName);
    }

    /** A file the command saves (a checkpoint): not a folder, not a project file, new unless {@code force}. */
    public Path file(Path requested, String defaultName, boolean force) {
        Path file = resolve(requested, defaultName);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("%s is a folder: give the file to save to, e.g. --out %s"
                    .formatted(file, file.resolve(Path.of(defaultName).getFileName())));
        }
        if (Files.exists(file)) {
            refuseProjectFile(file);
            if (!force) {
                throw new IllegalArgumentException(file + " already exists: pass --force to write over it, or --out to "
                        + "save elsewhere");
            }
        }
        requireWritableFolder(file.getParent());
        return file;
    }

    /**
     * A folder the command writes files into; {@code ownFiles} are those (already there) it would write over,
     * allowed with {@code overwrite} unless they are the project's.
     */
    public Path folder(Path requested, String defaultName, Predicate<Path> ownFiles, boolean overwrite) {
        Path dir = resolve(requested, defaultName);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is a file, not a folder: give a folder to --out");
        }
        List<Path> existing = filesIn(dir).stream().filter(ownFiles).toList();
        if (!existing.isEmpty()) {
            refuseProjectFile(existing.get(0));
            if (!overwrite) {
                String more = existing.size() > 1 ? " and " + (existing.size() - 1) + " more" : "";
                throw new IllegalArgumentException("%s already holds %s%s: pass --force to write over %s, or --out another "
                        .formatted(dir, dir.relativize(existing.get(0)), more, more.isEmpty() ? "it" : "them") + "folder");
            }
        }
        requireWritableFolder(dir);
        return dir;
    }

    private void refuseProjectFile(Path file) {
        Path real = real(file);
        if (projectRoot != null && real.startsWith(projectRoot) && !real.startsWith(projectRoot.resolve("runs"))) {
            throw new IllegalArgumentException(("%s is a file of the Q-ViT project (%s), which no command writes over, "
                    + "even with --force: save to another place, e.g. under %s").formatted(file, projectRoot, runs));
        }
    }

    /** The nearest folder that exists must be one we can write into (the rest is created when saving). */
    private static void requireWritableFolder(Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException("cannot create the folder " + dir + ": " + existing + " is not a folder");
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException("cannot write into " + existing + ": permission denied");
        }
    }

    private static List<Path> filesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the folder " + dir + ": " + e.getMessage());
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            Path parent = path.getParent();
            return parent == null ? path : real(parent).resolve(path.getFileName());   // not there (yet)
        }
    }
}
