package dev.recsys.spark.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The main class of the assembly jar: {@code spark-submit --class dev.recsys.spark.cli.SparkMain
 * recsys-spark-VERSION-assembly.jar prepare|recommend|evaluate ...}. Errors are one line on stderr
 * (exit 2 for bad input, 1 otherwise).
 */
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SparkCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("recsys: error: " + ex.getMessage());
            err.flush();
            return ex instanceof dev.recsys.api.RecsysException || ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }
}
