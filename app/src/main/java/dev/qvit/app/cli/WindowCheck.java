package dev.qvit.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the workbench window needs from the system, checked before JavaFX starts: an X display and GTK 3, the only
 * toolkit JavaFX 21 uses on Linux (Debian package {@code libgtk-3-0}). Each missing piece is one sentence saying
 * what to do, instead of JavaFX's stack trace. The GTK probe looks for {@link #GTK_LIBRARY} where the dynamic
 * linker would; the system property {@link #GTK_PROPERTY} names another library to look for, so that the absence
 * of GTK can be simulated on a machine that has it.
 */
public final class WindowCheck {
    /** The library JavaFX's GTK glass links against. */
    public static final String GTK_LIBRARY = "libgtk-3.so.0";
    public static final String GTK_PROPERTY = "qvit.window.gtk";
    static final String NO_DISPLAY = "the workbench window needs a display and DISPLAY is not set: run ./qvit on a "
            + "desktop, over ssh -X, or in a virtual display (xvfb-run -a ./qvit); the commands (./qvit --help) need none";
    static final String NO_GTK = "the workbench window needs GTK 3 (%s), which is not installed: install it (as root) "
            + "with 'apt-get install libgtk-3-0' and run ./qvit again";

    private final Map<String, String> environment;
    private final Predicate<String> libraryInstalled;
    private final String gtkLibrary;

    WindowCheck(Map<String, String> environment, Predicate<String> libraryInstalled, String gtkLibrary) {
        this.environment = Map.copyOf(environment);
        this.libraryInstalled = libraryInstalled;
        this.gtkLibrary = gtkLibrary;
    }

    /** The check of this machine and process. */
    public static WindowCheck ofSystem() {
        return new WindowCheck(System.getenv(), new SystemLibraries(System.getenv())::installed,
                System.getProperty(GTK_PROPERTY, GTK_LIBRARY));
    }

    /** Empty when the window can open, else the sentence that says what is missing. */
    public Optional<String> problem() {
        String display = environment.get("DISPLAY");
        if (display == null || display.isBlank()) {
            return Optional.of(NO_DISPLAY);
        }
        if (!libraryInstalled.test(gtkLibrary)) {
            return Optional.of(NO_GTK.formatted(gtkLibrary));
        }
        return Optional.empty();
    }

    /** JavaFX's own start failure (a display that cannot be opened, a library the probe missed) as one sentence. */
    String explain(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("Unable to open DISPLAY")) {
            return "cannot open the display DISPLAY=%s: is its X server running? (xvfb-run -a ./qvit runs a virtual one)"
                    .formatted(environment.get("DISPLAY"));
        }
        if (message.contains("GTK")) {
            return NO_GTK.formatted(gtkLibrary);
        }
        return "the workbench window could not start: " + message;
    }

    /**
     * Finds a shared library by file name as the dynamic linker does: LD_LIBRARY_PATH, the linker's cache
     * (/etc/ld.so.cache names the full path of every library it knows), then the default folders.
     */
    static final class SystemLibraries {
        private static final List<Path> DEFAULT_FOLDERS = List.of(Path.of("/lib"), Path.of("/usr/lib"), Path.of("/lib64"),
                Path.of("/usr/lib64"), Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
                Path.of("/lib/aarch64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"));
        private final List<Path> folders = new ArrayList<>();
        private final Path cache;

        SystemLibraries(Map<String, String> environment) {
            this(environment, Path.of("/etc/ld.so.cache"), DEFAULT_FOLDERS);
        }

        SystemLibraries(Map<String, String> environment, Path cache, List<Path> defaultFolders) {
            String path = environment.getOrDefault("LD_LIBRARY_PATH", "");
            for (String dir : path.split(":")) {
                if (!dir.isBlank()) {
                    folders.add(Path.of(dir));
                }
            }
            folders.addAll(defaultFolders);
            this.cache = cache;
        }

        boolean installed(String fileName) {
            return folders.stream().anyMatch(dir -> Files.exists(dir.resolve(fileName))) || inCache(fileName);
        }

        private boolean inCache(String fileName) {
            try {
                String text = new String(Files.readAllBytes(cache), StandardCharsets.ISO_8859_1);
                for (String entry : text.split("\0")) {
                    if (entry.startsWith("/") && entry.endsWith("/" + fileName) && Files.exists(Path.of(entry))) {
                        return true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return false;                                  // no cache: the folders decided
            }
            return false;
        }
    }
}
