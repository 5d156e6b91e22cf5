package dev.qvit.model.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory (Linux VmHWM) over a piece of work, such as one ablation cell: the peak is
 * reset when the work starts (writing 5 to /proc/self/clear_refs) and read when it ends. Where /proc is not
 * available the readings are -1.
 */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {
    }

    /** Starts a new peak at the current resident size; false where that is not possible. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** The largest resident size since the last {@link #resetPeak()} (or the start), in bytes; -1 if unknown. */
    public static long peakBytes() {
        return statusField("VmHWM:");
    }

    /** The current resident size in bytes; -1 if unknown. */
    public static long currentBytes() {
        return statusField("VmRSS:");
    }

    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;                         // "12345 kB"
                }
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return -1;
        }
        return -1;
    }
}
