package dev.recsys.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic file and folder replacement: temp sibling, fsync, rename. A new file gets the mode the
 * user's umask gives (like any other tool's output); a replaced file keeps its mode. The one
 * place where recsys writes files.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    /** Writes the body of a file to an open channel. */
    @FunctionalInterface
    interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes target atomically: the body goes to a temp file in the same folder, which is
     * fsynced and then renamed over target. On failure the temp file is deleted and target is
     * untouched.
     */
    static void write(Path target, ChannelWriter body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + abs.getFileName() + "." + nonce() + ".tmp");
        try {
            writeFile(tmp, body);
            keepMode(abs, tmp);
            move(tmp, abs);
            fsyncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Gives tmp the POSIX mode of target when target exists (so that replacing a file keeps its mode). */
    private static void keepMode(Path target, Path tmp) throws IOException {
        if (!Files.isRegularFile(target)
                || !tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
    }

    /** Writes a UTF-8 text file atomically (creating missing parent folders). */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes a new file (which must not exist) and fsyncs it. */
    static void writeFile(Path file, ChannelWriter body) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            body.write(ch);
            ch.force(true);
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Renames source to target, atomically where the file system can, replacing target. */
    static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            LOG.warn("file system cannot rename {} atomically; replacing it non-atomically", target);
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes a folder's entries (the renames) to disk where the platform allows it. */
    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot fsync folder {} on this platform: {}", dir, e.toString());
        }
    }

    /** A random suffix for temp names. */
    static String nonce() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** Deletes a file or a folder tree; missing is fine. */
    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Like {@link #deleteRecursively} but only logs failures (cleanup after another error). */
    static void deleteQuietly(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete temporary {}: {}", p, e.toString());
        }
    }
}
