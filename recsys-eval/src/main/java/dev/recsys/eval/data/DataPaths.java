package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a path given as data is what the reader expects, a file or a folder, before anything
 * is opened: a folder given as a file (or the other way round) fails with a {@link DataException}
 * that names the path and what was expected, instead of an I/O error from deep inside a reader.
 */
public final class DataPaths {
    private DataPaths() {}

    /**
     * Fails unless {@code p} is a regular file (or a link to one).
     *
     * @param what what was expected, for the message, e.g. {@code "a SASRec sequence file"}
     * @return {@code p}
     */
    public static Path requireFile(Path p, String what) {
        if (Files.isDirectory(p)) {
            throw new DataException(p + " is a folder; expected " + what);
        }
        if (!Files.exists(p)) {
            throw new DataException(p + " not found; expected " + what);
        }
        if (!Files.isRegularFile(p)) {
            throw new DataException(p + " is not a regular file; expected " + what);
        }
        return p;
    }

    /**
     * Fails unless {@code p} is a folder (or a link to one).
     *
     * @param what what was expected, for the message, e.g. {@code "the ML-100k folder (holding u.data)"}
     * @return {@code p}
     */
    public static Path requireFolder(Path p, String what) {
        if (Files.isDirectory(p)) {
            return p;
        }
        throw new DataException(p + (Files.exists(p) ? " is a file" : " not found") + "; expected " + what);
    }
}
