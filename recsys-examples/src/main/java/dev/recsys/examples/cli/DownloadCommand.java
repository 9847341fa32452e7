package dev.recsys.examples.cli;

import dev.recsys.eval.download.ArchiveSpec;
import dev.recsys.eval.download.Downloader;
import dev.recsys.eval.download.MovieLensArchive;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code recsys data download}: an official MovieLens archive, verified against its published MD5. */
@Command(
        name = "download",
        mixinStandardHelpOptions = true,
        description = {
            "Download an official MovieLens archive from files.grouplens.org into a cache folder, verify its published",
            "MD5 checksum and extract it. A verified copy in the cache is reused; a mismatching download is deleted."
        })
final class DownloadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "ml-100k, ml-1m, ml-10m, ml-20m or ml-25m.")
    String name;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "Cache folder (default: $RECSYS_CACHE, else ~/.cache/recsys).")
    Path cache;

    @Option(
            names = "--mirror",
            paramLabel = "URL",
            description = "Base address of a mirror holding the same archives (same checksums).")
    String mirror;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        MovieLensArchive archive = MovieLensArchive.byId(name.trim());
        ArchiveSpec s;
        if (mirror == null) {
            s = archive.spec();
        } else {
            try {
                URI base = new URI(mirror);
                if (base.getScheme() == null
                        || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
                    throw new IllegalArgumentException("--mirror must be an http or https address, found " + mirror);
                }
                s = archive.spec(base);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--mirror is not a valid address: " + mirror);
            }
        }
        Path dir = cache != null ? cache : Downloader.defaultCacheDir();
        Path data;
        try {
            data = new Downloader(dir).fetch(s);
        } catch (java.net.ConnectException
                | java.net.http.HttpTimeoutException
                | java.nio.channels.UnresolvedAddressException e) {
            throw new IOException(
                    "cannot download " + s.url() + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                            + " (no network? download it elsewhere and put the zip at " + dir.resolve(s.name() + ".zip")
                            + ")",
                    e);
        }
        out.println("verified " + s.name() + " (MD5 " + s.md5() + ") at " + data.toAbsolutePath());
        out.println("use it with: --data " + s.name() + ":" + data.toAbsolutePath());
        return Main.OK;
    }
}
