package dev.qvit.sessions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one-writer rule of a session: an OS file lock on {@code .lock} in its folder, held while a window or a command
 * writes it and released by the OS when that process ends, even by {@code kill -9} (so a session recorded as
 * running whose lock is free has crashed). The file names the holder, for the message the next one gets.
 */
final class SessionLock implements AutoCloseable {
    static final String FILE = ".lock";
    private final FileChannel channel;
    private final FileLock lock;

    private SessionLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws SessionBusyException when another process or window holds it */
    static SessionLock acquire(Path dir, String sessionId) throws SessionException {
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;                                      // held by this process (another window)
            }
            if (lock == null) {
                String holder = holder(file);
                ch.close();
                throw new SessionBusyException("session " + sessionId + " is busy: " + holder
                        + " is writing it; open it read-only or wait until that run ends");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("process " + ProcessHandle.current().pid() + " on "
                    + java.net.InetAddress.getLocalHost().getHostName()).getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new SessionLock(ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new SessionException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** True when nobody holds the lock now (probed without keeping it). */
    static boolean free(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return true;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false;
        } catch (IOException e) {
            return false;                                         // unreadable: do not call it crashed
        }
    }

    private static String holder(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.isEmpty() ? "another process" : s;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // the lock failure is the one to report
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases it when the process ends anyway
        }
    }
}
