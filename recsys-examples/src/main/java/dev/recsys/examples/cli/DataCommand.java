package dev.recsys.examples.cli;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.examples.workflow.ResultFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys data}: statistics, download, conversion. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Data sets: statistics, download, conversion.",
        subcommands = {DataCommand.Stats.class, DownloadCommand.class, DataCommand.Convert.class})
final class DataCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: stats, download or convert");
    }

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description = "Users, items, interactions, density, sequence lengths.")
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
            out.printf(
                    Locale.ROOT,
                    "ratings: %s, timestamps: %s, event types: %s, item titles: %s%n",
                    d.hasRatings() ? "yes" : "no",
                    d.hasTimestamps() ? "yes" : "no",
                    d.hasEvents() ? d.eventTypes().size() : "none",
                    d.hasMeta() ? d.meta().titledItems() + " of " + d.numItems() : "none");
            out.printf(Locale.ROOT, "loaded in %.2f s%n", secs);
            return Main.OK;
        }
    }

    @Command(
            name = "convert",
            mixinStandardHelpOptions = true,
            description =
                    "Write a data set as CSV (user,item,rating,timestamp,event with a header) or as a SASRec file (user item).")
    static final class Convert implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--to", required = true, description = "csv or sasrec.")
        String to;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                description = "Output file (written atomically).")
        Path out;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Outputs.file(out, "--out");
            boolean sasrec = to.toLowerCase(Locale.ROOT).equals("sasrec");
            Path itemMapOut = sidecar(out, "items");
            Path userMapOut = sidecar(out, "users");
            if (sasrec) {
                for (Path m : new Path[] {itemMapOut, userMapOut}) {
                    Outputs.file(m, "--out");
                    if (Files.exists(m) && !Files.exists(out)) {
                        throw new DataException(m + " exists and was not written with " + out
                                + "; move it away or choose another --out "
                                + "(the sasrec output is written with its id maps beside it)");
                    }
                }
            }
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
                            sb.append(csv(d.userIds().external(u)))
                                    .append(',')
                                    .append(csv(d.itemIds().external(d.item(k))));
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
                    String items = idMap(d.numItems(), d.itemIds()::external, "item");
                    String users = idMap(d.numUsers(), d.userIds()::external, "user");
                    ResultFiles.writeAtomically(itemMapOut, items);
                    ResultFiles.writeAtomically(userMapOut, users);
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
            if (sasrec) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "the sasrec ids are dense (1..n); the original ids are in %s and %s "
                                        + "(lines 'sasrec_id original_id'; use --item-map %s to attach content)%n",
                                itemMapOut,
                                userMapOut,
                                itemMapOut);
            }
            return Main.OK;
        }

        /** Where the id map of a sasrec output goes: {@code OUT.items.txt}, {@code OUT.users.txt}. */
        static Path sidecar(Path out, String what) {
            return out.resolveSibling(out.getFileName() + "." + what + ".txt");
        }

        /** {@code dense external} lines, the format of sas_to_original_items.txt that --item-map reads. */
        private static String idMap(int n, java.util.function.IntFunction<String> external, String what) {
            StringBuilder sb = new StringBuilder(n * 12);
            for (int i = 1; i <= n; i++) {
                String e = external.apply(i);
                if (e.isEmpty() || e.chars().anyMatch(Character::isWhitespace)) {
                    throw new DataException(
                            "the " + what + " id '" + Tables.quote(e) + "' is empty or holds whitespace, which a "
                                    + "sasrec id map cannot hold; convert --to csv instead");
                }
                sb.append(i).append(' ').append(e).append('\n');
            }
            return sb.toString();
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }
}
