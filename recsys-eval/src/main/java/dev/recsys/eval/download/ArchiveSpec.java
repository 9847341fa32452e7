package dev.recsys.eval.download;

import java.net.URI;
import java.util.Locale;

/**
 * A downloadable archive with its published checksum.
 *
 * @param name   short name, also the cache sub-folder (e.g. {@code ml-1m})
 * @param url    where to get the zip
 * @param md5    the published MD5 of the zip, lower-case hex (32 digits)
 * @param folder the folder inside the zip that holds the data files (e.g. {@code ml-10M100K})
 */
public record ArchiveSpec(String name, URI url, String md5, String folder) {
    public ArchiveSpec {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("archive name must be letters, digits, '.', '_' or '-', found " + name);
        }
        if (url == null) {
            throw new IllegalArgumentException("archive " + name + " needs a URL");
        }
        if (md5 == null || !md5.toLowerCase(Locale.ROOT).matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("archive " + name + " needs a 32-digit hex MD5, found " + md5);
        }
        md5 = md5.toLowerCase(Locale.ROOT);
        if (folder == null || folder.isBlank() || folder.contains("..")) {
            throw new IllegalArgumentException("archive " + name + " needs a plain folder name, found " + folder);
        }
    }
}
