package dev.recsys.spark.cli;

import dev.recsys.api.DataException;
import dev.recsys.api.RecsysException;
import dev.recsys.eval.data.PreparedFormat;
import dev.recsys.eval.split.Target;
import dev.recsys.spark.BatchRecommend;
import dev.recsys.spark.DistributedEvaluation;
import dev.recsys.spark.Prepare;
import dev.recsys.spark.Sessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys spark prepare|recommend|evaluate}: the Spark jobs from the command line. */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = "Prepare data, recommend in batch and evaluate on Apache Spark (local[*] without --master).",
        subcommands = {
            SparkCommand.PrepareCommand.class,
            SparkCommand.RecommendCommand.class,
            SparkCommand.EvaluateCommand.class
        })
public final class SparkCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing command: prepare, recommend or evaluate; try 'recsys spark --help'");
    }

    /** Options every Spark command has. */
    static final class SparkOptions {
        @Option(
                names = "--master",
                paramLabel = "URL",
                description = "Spark master (default: the one spark-submit sets, else local[*]).")
        String master;
    }

    /** Runs {@code job} on a session; a failure inside a task comes back as the task's own one-line error. */
    static <T> T onSpark(SparkOptions o, String name, SparkJob<T> job) throws Exception {
        SparkSession spark = Sessions.get(o.master, "recsys spark " + name);
        try {
            return job.run(spark);
        } catch (Exception e) {
            throw cause(e);
        }
    }

    /** A job on a session. */
    @FunctionalInterface
    interface SparkJob<T> {
        T run(SparkSession spark) throws Exception;
    }

    /** The first recsys error (or bad argument, or I/O error) in {@code e}'s causes, else {@code e}. */
    static Exception cause(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RecsysException
                    || c instanceof IllegalArgumentException
                    || c instanceof IOException
                    || c instanceof UncheckedIOException) {
                return (Exception) c;
            }
        }
        return e;
    }

    @Command(
            name = "prepare",
            mixinStandardHelpOptions = true,
            description = "Read an interaction log, filter it, number users and items, split, and write the "
                    + "per-user sequences that --data prepared:DIR reads (docs/SCALING.md).")
    static final class PrepareCommand implements Callable<Integer> {
        @Option(
                names = "--data",
                required = true,
                paramLabel = "FORMAT:PATH",
                description =
                        "csv|parquet:PATH (columns user, item[, rating][, timestamp][, event]), "
                                + "sasrec:FILE ('user item' lines, ids kept) or ml-100k|ml-1m|ml-10m|ml-20m|ml-25m|ml-latest:DIR.")
        String data;

        @Option(
                names = "--item-map",
                paramLabel = "FILE",
                description = "sasrec with --movies: the item id map (lines 'sasrec_id movie_id'), or 'identity' "
                        + "when the sasrec ids are the movie ids.")
        String itemMap;

        @Option(names = "--movies", paramLabel = "FILE", description = "sasrec: movies file (titles, genres, years).")
        Path movies;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New folder to write.")
        String out;

        @Option(names = "--min-rating", paramLabel = "R", description = "Keep interactions rated at least R.")
        Float minRating;

        @Option(
                names = "--min-per-user",
                defaultValue = "1",
                description = "Iterated k-core: users need this many interactions (default: ${DEFAULT-VALUE}).")
        int minPerUser;

        @Option(
                names = "--min-per-item",
                defaultValue = "1",
                description = "Iterated k-core: items need this many interactions (default: ${DEFAULT-VALUE}).")
        int minPerItem;

        @Option(
                names = "--split",
                defaultValue = "leave-one-out",
                description = "leave-one-out or temporal:VAL,TEST (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(
                names = "--max-bad-rows",
                defaultValue = "0",
                description =
                        "Unparsable rows to skip (counted, with examples); one more fails (default: ${DEFAULT-VALUE}).")
        long maxBadRows;

        @Option(
                names = "--shards",
                defaultValue = "0",
                description = "Sequence files to write (default: Spark's parallelism).")
        int shards;

        @CommandLine.Mixin
        SparkOptions spark = new SparkOptions();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (movies != null && itemMap == null) {
                throw new DataException(
                        "--movies with sasrec data needs --item-map FILE (lines 'sasrec_id movie_id'), or --item-map "
                                + "identity when the sasrec item ids are the movies' ids");
            }
            if (itemMap != null && movies == null) {
                throw new DataException("--item-map only applies with --movies");
            }
            Path map = itemMap == null || itemMap.equals("identity") ? null : Path.of(itemMap);
            Prepare.Options o = new Prepare.Options(
                    data, out, minRating, minPerUser, minPerItem, split, maxBadRows, shards, map, movies);
            PreparedFormat.Manifest m = onSpark(spark, "prepare", s -> Prepare.run(s, o));
            PrintWriter w = spec.commandLine().getOut();
            w.println("prepared " + out + " (" + m.split().name() + "): "
                    + m.stats().summary());
            if (m.badRows() > 0) {
                w.println("skipped " + m.badRows() + " unparsable rows");
            }
            w.flush();
            return 0;
        }
    }

    @Command(
            name = "recommend",
            mixinStandardHelpOptions = true,
            description = "Top K for every user of a prepared folder (or those of --users) to Parquet: user, rank, "
                    + "item, score.")
    static final class RecommendCommand implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "A prepared folder.")
        String data;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
        String model;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New Parquet folder to write.")
        String out;

        @Option(
                names = {"-k", "--k"},
                defaultValue = "10",
                description = "Items per user (default: ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--users", paramLabel = "FILE", description = "Only these users (one external id a line).")
        Path users;

        @Option(names = "--include-seen", description = "Allow items of the history in the result.")
        boolean includeSeen;

        @Option(names = "--rerank", description = "Stage-2 depth (default: the model's; 0 = stage 1 only).")
        Integer rerank;

        @CommandLine.Mixin
        EngineOptions engine = new EngineOptions();

        @CommandLine.Mixin
        SparkOptions spark = new SparkOptions();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<String> ids = null;
            if (users != null) {
                ids = Files.readAllLines(users, StandardCharsets.UTF_8).stream()
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .distinct()
                        .toList();
                if (ids.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--users " + users + " is empty");
                }
            }
            BatchRecommend.Options o = new BatchRecommend.Options(
                    data, model, out, k, ids, includeSeen, rerank, engine.batchSize, engine.backend, engine.threads);
            BatchRecommend.Summary s = onSpark(spark, "recommend", sp -> BatchRecommend.run(sp, o));
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %s: %d rows for %d users in %.1f s (%.0f users/s)%n",
                            out,
                            s.rows(),
                            s.users(),
                            s.seconds(),
                            s.users() / s.seconds());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            description =
                    "The full-ranking protocol in partitions; equal to recsys evaluate on the same data and model.")
    static final class EvaluateCommand implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "A prepared folder.")
        String data;

        @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder.")
        String model;

        @Option(
                names = "--baseline",
                paramLabel = "NAME",
                description = "Instead of a model: mostpop (alias popular), itemknn, markov, contentknn (needs "
                        + "titles) or random, fitted as recsys evaluate fits them.")
        String baseline;

        @Option(
                names = "--seed",
                defaultValue = "42",
                description = "Seed of the random baseline (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--cold-items", paramLabel = "SPEC", description = "Not here: see recsys evaluate.")
        String coldItems;

        @Option(
                names = "--target",
                defaultValue = "test",
                description = "test or validation (default: ${DEFAULT-VALUE}).")
        String target;

        @Option(
                names = "--k",
                split = ",",
                defaultValue = "5,10,20",
                description = "Cut-offs (default: ${DEFAULT-VALUE}).")
        int[] ks;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "New folder for result.json and per-user values (Parquet).")
        String out;

        @Option(names = "--rerank", description = "Stage-2 depth (default: the model's; 0 = stage 1 only).")
        Integer rerank;

        @CommandLine.Mixin
        EngineOptions engine = new EngineOptions();

        @CommandLine.Mixin
        SparkOptions spark = new SparkOptions();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Target t = switch (target.toLowerCase(Locale.ROOT)) {
                case "test" -> Target.TEST;
                case "validation" -> Target.VALIDATION;
                default ->
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--target must be test or validation, found " + target);
            };
            if (coldItems != null) {
                throw new IllegalArgumentException(
                        "recsys spark evaluate does not run the cold-start items protocol; use recsys evaluate --data "
                                + "prepared:" + data + " --cold-items " + coldItems);
            }
            DistributedEvaluation.Options o = new DistributedEvaluation.Options(
                    data, model, baseline, t, ks, out, rerank, engine.batchSize, engine.backend, engine.threads, seed);
            DistributedEvaluation.Result r = onSpark(spark, "evaluate", s -> DistributedEvaluation.run(s, o));
            PrintWriter w = spec.commandLine().getOut();
            w.print(DistributedEvaluation.table(r, ks));
            w.flush();
            return 0;
        }
    }

    /** The scoring options of recommend and evaluate. */
    static final class EngineOptions {
        @Option(
                names = "--backend",
                paramLabel = "NAME",
                description = "djl or dl4j (default: -Drecsys.backend, RECSYS_BACKEND, else the best available).")
        String backend;

        @Option(
                names = "--engine-threads",
                defaultValue = "1",
                description = "The engine's threads per executor (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(
                names = "--batch-size",
                defaultValue = "128",
                description = "Users per forward pass (default: ${DEFAULT-VALUE}, as recsys evaluate; keep"
                        + " batch x items x 4 bytes under glibc's 32 MB mmap threshold, docs/SCALING.md).")
        int batchSize;
    }
}
