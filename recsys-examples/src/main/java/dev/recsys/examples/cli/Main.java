package dev.recsys.examples.cli;

import dev.recsys.api.BackendException;
import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.TrainingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code recsys} command line. Exit codes: 0 success, 2 usage or bad input (missing file,
 * malformed line, unknown backend or config key, foreign or corrupt model folder), 1 anything else.
 * Errors are one line on standard error; {@code --verbose} adds the stack trace.
 */
@Command(
        name = "recsys",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Transformer-based content recommendation: train, evaluate, recommend, compare backends.",
        subcommands = {
            QuickstartCommand.class,
            DataCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            RecommendCommand.class,
            ServeCommand.class,
            CompareCommand.class,
            BenchCommand.class,
            ConfigCommand.class,
            dev.recsys.spark.cli.SparkCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;

    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces and debug logs.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; try 'recsys --help'");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        if (!verbose && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        // DJL warns twice on every start where a CUDA toolkit is installed without a GPU driver; the command line
        // never asks for a GPU, so the warning says nothing to its users (set the property to see it again)
        if (System.getProperty(CUDA_LOG) == null) {
            System.setProperty(CUDA_LOG, "error");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("recsys: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> failed(ex, verbose, err));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return failed(e, verbose, err);
        }
    }

    /**
     * What a failed command prints (one line, the stack trace with {@code --verbose}) and its exit
     * code. A stop by a signal prints nothing here: the signal's own line says where it stopped and
     * how to resume.
     */
    static int failed(Throwable ex, boolean verbose, PrintWriter err) {
        if (ex instanceof GracefulStop.Stopped) {
            return STOPPED;
        }
        err.println("recsys: error: " + message(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode(ex);
    }

    /** Logger property of DJL's CUDA probe. */
    static final String CUDA_LOG = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
    /**
     * Exit code when a stop request reaches the command before the JVM's own exit (128 + SIGINT); a
     * signal usually ends the JVM first, with 128 + its number (130 Ctrl-C, 143 SIGTERM).
     */
    static final int STOPPED = 130;

    /** One line for a full heap: how big it was and how to raise it. */
    static String outOfMemory() {
        long max = Runtime.getRuntime().maxMemory();
        String heap = max >= 1L << 30
                ? String.format(java.util.Locale.ROOT, "%.1f GiB", max / (double) (1L << 30))
                : (max >> 20) + " MiB";
        return "out of memory: the Java heap (at most " + heap
                + ") is full; raise it with RECSYS_JAVA_OPTS=-Xmx<size>, e.g. "
                + "RECSYS_JAVA_OPTS=-Xmx12g ./recsys ..., or make the run smaller (batchSize, maxLen, negatives)";
    }

    static int exitCode(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof java.nio.file.FileSystemException
                || t instanceof java.nio.file.ReadOnlyFileSystemException
                || t instanceof DataException
                || t instanceof CheckpointException
                || t instanceof BackendException
                || t instanceof IllegalArgumentException
                || t instanceof NoSuchFileException
                || t instanceof AccessDeniedException
                || t instanceof java.nio.file.NotDirectoryException
                || t instanceof java.nio.charset.CharacterCodingException) {
            return BAD_INPUT;
        }
        return FAILURE;
    }

    static String message(Throwable ex) {
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return outOfMemory();
            }
        }
        if (t instanceof NoSuchFileException e) {
            return "file not found: " + e.getFile();
        }
        if (t instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (t instanceof java.nio.file.FileSystemException e) {
            String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
            return "cannot use " + e.getFile() + (e.getOtherFile() == null ? "" : " or " + e.getOtherFile()) + ": "
                    + reason;
        }
        if (t instanceof java.nio.file.ReadOnlyFileSystemException) {
            return "cannot write: the file system is read-only";
        }
        if (t instanceof TrainingException) {
            return "training stopped: " + t.getMessage();
        }
        if (t instanceof IOException) {
            return "I/O error: " + t.getMessage();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"recsys " + (v == null ? "dev" : v), "Java " + System.getProperty("java.version")};
        }
    }
}
