package dev.recsys.eval.download;

import dev.recsys.api.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Extracts a zip file into a folder, refusing any entry whose path would land outside it
 * ("zip slip": {@code ../x}, absolute paths, drive letters), before anything of that entry is written.
 */
public final class ZipExtractor {
    private ZipExtractor() {}

    /**
     * Extracts {@code zip} under {@code target} (created if needed).
     *
     * @return number of files written
     */
    public static int extract(Path zip, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int files = 0;
        try (InputStream in = Files.newInputStream(zip);
                ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                Path out = resolveSafely(root, e.getName(), zip);
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(z, out, StandardCopyOption.REPLACE_EXISTING);
                    files++;
                }
                z.closeEntry();
            }
        }
        return files;
    }

    static Path resolveSafely(Path root, String entryName, Path zip) {
        String n = entryName.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*")) {
            throw new DataException(zip + ": zip entry '" + entryName + "' has an absolute path; refusing to extract");
        }
        Path out = root.resolve(n).normalize();
        if (!out.startsWith(root) || out.equals(root)) {
            throw new DataException(
                    zip + ": zip entry '" + entryName + "' would be written outside " + root + "; refusing to extract");
        }
        return out;
    }
}
