package dev.recsys.examples.cli;

import dev.recsys.api.DataException;
import dev.recsys.api.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks every output path of a command before any work starts, so that a wrong {@code --out}
 * or {@code --json} fails in the first second with one line (exit 2), not after hours of training.
 */
final class Outputs {
    private Outputs() {}

    /**
     * A checkpoint folder: absent, empty or a recsys checkpoint and nothing else; a folder with
     * other files only with {@code force} (the checkpoint files are then written beside them and
     * nothing of the user's is deleted).
     */
    static void checkpointFolder(Path dir, String option, boolean force) throws IOException {
        Checkpoint.Target t;
        try {
            t = Checkpoint.inspect(dir);
        } catch (dev.recsys.api.CheckpointException e) {
            throw new DataException(option + " " + dir + ": " + e.getMessage());
        }
        if (t.holdsOtherFiles() && !force) {
            throw new DataException(
                    option + " " + dir + " holds files that are not a recsys checkpoint's (" + sample(t.others())
                            + "); choose another folder, or add --force to write the checkpoint files beside them (nothing else is deleted)");
        }
        writableParent(t.dir(), option);
        if (Files.isDirectory(t.dir())) {
            probe(t.dir(), option, t.dir());
        }
    }

    /** A file to be written (replaced if it exists): not a folder, in a folder we can write. */
    static void file(Path file, String option) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new DataException(option + " " + file + " is a folder; give a file name");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new DataException(option + " " + file + " is not a regular file");
        }
        writableParent(abs, option);
    }

    /** A folder of results (created if absent, files inside replaced): not a file, writable. */
    static void folder(Path dir, String option) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new DataException(option + " " + dir + " is a file; give a folder");
        }
        if (Files.isDirectory(abs)) {
            probe(abs, option, abs);
        } else {
            writableParent(abs, option);
        }
    }

    /** The nearest existing ancestor of path must be a folder we can create files in. */
    private static void writableParent(Path abs, String option) throws IOException {
        Path a = abs.getParent();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        if (a == null) {
            throw new DataException(option + " " + abs + ": no existing parent folder");
        }
        if (!Files.isDirectory(a)) {
            throw new DataException(option + " " + abs + ": " + a + " is a file, not a folder");
        }
        probe(a, option, abs);
    }

    /** Creates and deletes a hidden file in folder: the only check that read-only file systems and ACLs cannot fool. */
    private static void probe(Path folder, String option, Path target) throws IOException {
        Path p = null;
        try {
            p = Files.createTempFile(folder, ".recsys-write-check", ".tmp");
        } catch (IOException | SecurityException e) {
            String why = e instanceof java.nio.file.AccessDeniedException
                    ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                            ? f.getReason()
                            : e.getClass().getSimpleName();
            throw new DataException(option + " " + target + ": cannot write in " + folder + " (" + why + ")");
        } finally {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String sample(List<String> names) {
        int n = Math.min(3, names.size());
        return String.join(", ", names.subList(0, n))
                + (names.size() > n ? " and " + (names.size() - n) + " more" : "");
    }
}
