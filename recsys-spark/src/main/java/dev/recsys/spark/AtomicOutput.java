package dev.recsys.spark;

import dev.recsys.api.DataException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output folder written as a whole or not at all, on any file system Spark writes to: everything
 * goes to a hidden sibling {@code .NAME.writing-UUID}, which is renamed to {@code NAME} once
 * complete (the way Spark's committers publish a job), and removed (it is ours) when anything
 * fails. A folder that exists is never written into, replaced or removed.
 */
public final class AtomicOutput {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

    private final FileSystem fs;
    private final Path target;
    private final Path temp;

    private AtomicOutput(FileSystem fs, Path target, Path temp) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
    }

    /** What is written into the temporary folder. */
    @FunctionalInterface
    public interface Writer<T> {
        T write(AtomicOutput out) throws IOException;
    }

    /**
     * Refuses an existing {@code target} at once, before any work, with {@code option} (e.g.
     * {@code --out}) named in the message.
     */
    public static void requireNew(SparkSession spark, String target, String option) {
        try {
            Path p = new Path(target);
            FileSystem fs = p.getFileSystem(conf(spark));
            if (fs.exists(p)) {
                throw new DataException(option + " " + target
                        + " already exists; give a new folder (an existing one is never overwritten)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code target} through {@code writer}: all of it, or nothing. */
    public static <T> T write(SparkSession spark, String target, String option, Writer<T> writer) throws IOException {
        requireNew(spark, target, option);
        Path t = new Path(target);
        FileSystem fs = t.getFileSystem(conf(spark));
        Path parent = t.getParent();
        if (parent != null && !fs.exists(parent) && !fs.mkdirs(parent)) {
            throw new IOException("cannot create " + parent);
        }
        Path temp = new Path(parent, "." + t.getName() + ".writing-" + UUID.randomUUID());
        AtomicOutput out = new AtomicOutput(fs, t, temp);
        boolean done = false;
        try {
            T result = writer.write(out);
            if (fs.exists(t)) {
                throw new DataException(
                        option + " " + target + " appeared while this job ran; the result is not written over it");
            }
            if (!fs.rename(temp, t)) {
                throw new IOException("cannot rename " + temp + " to " + t);
            }
            done = true;
            return result;
        } finally {
            if (!done) {
                try {
                    fs.delete(temp, true);
                } catch (IOException e) {
                    LOG.warn("could not remove the unfinished {}: {}", temp, e.getMessage());
                }
            }
        }
    }

    /** The path of {@code child} inside the temporary folder, for Spark's writers. */
    public String path(String child) {
        return new Path(temp, child).toString();
    }

    /** The temporary folder itself, for a writer that fills the whole output (it creates it). */
    public String root() {
        return temp.toString();
    }

    /** The final folder. */
    public String target() {
        return target.toString();
    }

    /** Writes a small UTF-8 file {@code child} of the temporary folder. */
    public void writeString(String child, String text) throws IOException {
        try (OutputStream o = fs.create(new Path(temp, child), false)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Configuration conf(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }
}
