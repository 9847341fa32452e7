package dev.recsys.examples.cli;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.examples.workflow.ResultFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys data}: statistics, download, conversion. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data sets: statistics, download, conversion.",
        subcommands = {DataCommand.Stats.class, DownloadCommand.class, DataCommand.Convert.class})
final class DataCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: stats, download or convert");
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Users, items, interactions, density, sequence lengths.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            long t0 = System.nanoTime();
            Dataset d = data.load();
            double secs = (System.nanoTime() - t0) / 1e9;
            DatasetStats s = DatasetStats.of(d);
            out.println("dataset: " + d.name());
            out.println(s.summary());
            out.printf(Locale.ROOT, "ratings: %s, timestamps: %s, event types: %s, item titles: %s%n", d.hasRatings() ? "yes" : "no",
                    d.hasTimestamps() ? "yes" : "no", d.hasEvents() ? d.eventTypes().size() : "none",
                    d.hasMeta() ? d.meta().titledItems() + " of " + d.numItems() : "none");
            out.printf(Locale.ROOT, "loaded in %.2f s%n", secs);
            return Main.OK;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Write a data set as CSV (user,item,rating,timestamp,event with a header) or as a SASRec file (user item).")
    static final class Convert implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--to", required = true, description = "csv or sasrec.")
        String to;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file (written atomically).")
        Path out;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Dataset d = data.load();
            StringBuilder sb = new StringBuilder(d.numInteractions() * 16);
            switch (to.toLowerCase(Locale.ROOT)) {
                case "csv" -> {
                    sb.append("user,item");
                    if (d.hasRatings()) {
                        sb.append(",rating");
                    }
                    if (d.hasTimestamps()) {
                        sb.append(",timestamp");
                    }
                    if (d.hasEvents()) {
                        sb.append(",event");
                    }
                    sb.append('\n');
                    for (int u = 1; u <= d.numUsers(); u++) {
                        for (int k = d.start(u); k < d.end(u); k++) {
                            sb.append(csv(d.userIds().external(u))).append(',').append(csv(d.itemIds().external(d.item(k))));
                            if (d.hasRatings()) {
                                sb.append(',').append(d.rating(k));
                            }
                            if (d.hasTimestamps()) {
                                sb.append(',').append(d.timestamp(k));
                            }
                            if (d.hasEvents()) {
                                sb.append(',').append(csv(d.eventTypes().external(d.event(k))));
                            }
                            sb.append('\n');
                        }
                    }
                }
                case "sasrec" -> {
                    for (int u = 1; u <= d.numUsers(); u++) {
                        for (int k = d.start(u); k < d.end(u); k++) {
                            sb.append(u).append(' ').append(d.item(k)).append('\n');
                        }
                    }
                }
                default -> throw new DataException("--to must be csv or sasrec, found " + to);
            }
            ResultFiles.writeAtomically(out, sb.toString());
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %,d interactions%n", out, d.numInteractions());
            return Main.OK;
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }
}
