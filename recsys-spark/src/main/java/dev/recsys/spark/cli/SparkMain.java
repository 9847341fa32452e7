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
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = new CommandLine(new SparkCommand());
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("recsys: error: " + ex.getMessage());
            return ex instanceof dev.recsys.api.RecsysException || ex instanceof IllegalArgumentException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }
}
