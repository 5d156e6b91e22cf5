package dev.qvit.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the operating system's scheduling priority of training threads (raises their Linux nice value), so that a
 * window's UI thread sharing the same cores gets the CPU as soon as it has work, while training still uses every
 * idle cycle. Java's own thread priorities have no effect on Linux, and Linux nice values are per thread, so the
 * calling thread renices itself through {@code renice -p <thread id>}. Where that is not possible (not Linux, no
 * renice) nothing changes and training runs at normal priority.
 */
public final class BackgroundPriority {
    private static volatile int workerNice;

    private BackgroundPriority() {
    }

    /** The nice value that worker threads created from now on give themselves; 0 (the default) leaves them alone. */
    public static void setForWorkers(int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice must be between 0 and 19, got " + nice);
        }
        workerNice = nice;
    }

    public static int forWorkers() {
        return workerNice;
    }

    /** A daemon thread named {@code name} that gives itself the worker nice value, then runs {@code work}. */
    public static Thread newThread(String name, Runnable work) {
        Thread t = new Thread(() -> {
            applyToCurrentThread();
            work.run();
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Gives the calling thread the worker nice value; true if it now has it (or none was asked for). */
    public static boolean applyToCurrentThread() {
        return lowerCurrentThread(workerNice);
    }

    /** Raises the calling thread's nice value to {@code nice}; true if it now has that value. */
    public static boolean lowerCurrentThread(int nice) {
        if (nice <= 0) {
            return true;
        }
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return renice.waitFor(5, TimeUnit.SECONDS) && renice.exitValue() == 0 && currentNice() == nice;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The calling thread's nice value (field 19 of /proc/thread-self/stat). */
    static int currentNice() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);                      // fields after "pid (comm) " start at field 3
    }
}
