package dev.recsys.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.DataException;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.recommend.NewItemBoost;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.ItemFile;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.examples.workflow.DataSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recsys recommend}: top-K for a user of a data set or for an explicit history; with
 * {@code --items FILE} new catalogue entries are first added to the model from their content
 * (without retraining, {@link SavedModel#withItems}) and shown marked as new.
 */
@Command(
        name = "recommend",
        mixinStandardHelpOptions = true,
        description =
                "Top-K items for a user id (with --data) or for an explicit history of item ids, with titles and scores.")
final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
    Path model;

    @Option(names = "--data", paramLabel = "FORMAT:PATH", description = "Data set: the user's history and item titles.")
    String data;

    @Option(
            names = "--item-map",
            paramLabel = "FILE",
            description =
                    "sasrec with --movies: the item id map (lines 'sasrec_id movie_id', e.g. sas_to_original_items.txt), or 'identity' when the sasrec ids are the movie ids.")
    Path itemMap;

    @Option(names = "--movies", paramLabel = "FILE", description = "sasrec: movies file.")
    Path movies;

    @Option(names = "--user", paramLabel = "ID", description = "External user id in --data.")
    String user;

    @Option(names = "--history", split = ",", paramLabel = "ITEM", description = "External item ids, oldest first.")
    List<String> history;

    @Option(
            names = {"-k", "--k"},
            defaultValue = "10",
            description = "How many (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--include-seen", description = "Allow items of the history in the result.")
    boolean includeSeen;

    @Option(names = "--rerank", description = "Stage-2 re-ranking depth (default: the model's; 0 = stage 1 only).")
    Integer rerank;

    @Option(
            names = "--items",
            paramLabel = "FILE",
            description =
                    "Add these items to the model first, from their content, without retraining: a movies.dat file"
                            + " (id::Title (year)::Genre|Genre) or a .csv with id,title[,genres][,year]. Needs a content model;"
                            + " new items are marked in the output.")
    Path items;

    @Option(
            names = "--replace",
            description = "With --items: an id already in the catalogue gets the file's content (default: an error).")
    boolean replace;

    @Option(
            names = "--new-item-boost",
            paramLabel = "SD",
            description = "Raise the scores of new items (added with --items, or cold in training) by SD standard"
                    + " deviations of the user's scores over trained items, so that they are shown more often"
                    + " (docs/MODEL.md \"New-item boost\"; content models; default 0).")
    Float newItemBoost;

    @Option(names = "--json", description = "Print [{\"item\": …, \"score\": …, \"title\": …}] for scripts.")
    boolean json;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ((user == null) == (history == null)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give exactly one of --user (with --data) or --history");
        }
        if (user != null && data == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--user needs --data to look up the user's history");
        }
        if (k <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-k must be > 0, found " + k);
        }
        List<String> given = history == null
                ? null
                : history.stream().map(String::trim).filter(x -> !x.isEmpty()).toList();
        if (given != null && given.isEmpty()) {
            throw new DataException("--history is empty: give at least one item id (comma separated, oldest first)");
        }
        if (replace && items == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replace only applies with --items FILE");
        }
        List<ItemFile.Entry> newEntries = items == null ? null : ItemFile.read(items);
        Dataset d = data == null ? null : DataSource.load(data, itemMap, movies);
        try (Backend backend = Backends.create(engine.backend(), engine.options());
                SavedModel loaded = SavedModel.load(model, backend)) {
            if (d != null) {
                loaded.requireFits(d);
            }
            SavedModel.Update update = newEntries == null
                    ? null
                    : loaded.withItems(
                            backend,
                            newEntries.stream().map(ItemFile.Entry::toNewItem).toList(),
                            replace);
            try (SavedModel added = update == null ? null : update.model()) {
                SavedModel m = added != null ? added : loaded;
                if (update != null) {
                    spec.commandLine().getErr().println(addedLine(update.addition(), items));
                }
                print(out, m, d, given, newEntries, update == null ? null : update.addition());
            }
        }
        return Main.OK;
    }

    /** One line on what --items did: counts, and the words the vocabulary does not hold. */
    private static String addedLine(ItemAddition a, Path file) {
        long replaced =
                a.entries().stream().filter(ItemAddition.Entry::replaced).count();
        List<String> unknown = new ArrayList<>();
        a.entries().forEach(e -> unknown.addAll(e.unknown()));
        return "recsys: added " + a.added() + " new item" + (a.added() == 1 ? "" : "s")
                + (replaced > 0 ? " and replaced the content of " + replaced : "") + " from " + file
                + " (catalogue " + a.baseItems() + " -> " + a.data().config().numItems() + " items)"
                + (unknown.isEmpty()
                        ? ""
                        : "; " + unknown.size() + " word" + (unknown.size() == 1 ? "" : "s")
                                + " outside the model's vocabulary "
                                + (unknown.size() <= 6 ? unknown : unknown.subList(0, 6) + "...") + " "
                                + oovNote(a.data()));
    }

    private static String oovNote(CheckpointData cd) {
        return switch (ItemAddition.oovRule(cd)) {
            case BUCKET -> "took their hashed buckets";
            case UNK -> "became [UNK]";
            case DROP -> "were left out (the model has no trained row for unknown words)";
        };
    }

    private void print(
            PrintWriter out,
            SavedModel m,
            Dataset d,
            List<String> given,
            List<ItemFile.Entry> newEntries,
            ItemAddition addition)
            throws IOException {
        CheckpointData cd = m.data();
        Map<String, Integer> dense = new HashMap<>();
        List<String> ids = cd.itemIds();
        if (ids != null) {
            for (int i = 1; i < ids.size(); i++) {
                dense.put(ids.get(i), i);
            }
        }
        int[] hist;
        if (user != null) {
            int u = lookupUser(d, user);
            hist = d.history(u);
        } else {
            hist = new int[given.size()];
            for (int i = 0; i < hist.length; i++) {
                Integer it = dense.get(given.get(i));
                if (it == null) {
                    throw new DataException("unknown item id '" + Tables.quote(given.get(i))
                            + "' in --history: not in the model's " + "catalogue");
                }
                hist[i] = it;
            }
        }
        if (hist.length == 0) {
            throw new DataException("user " + user + " has an empty history in " + d.name()
                    + ": a recommendation needs at least " + "one item");
        }
        Recommender rec = new Recommender(
                m.model(),
                rerank != null ? rerank : m.rerank(),
                newItemBoost == null ? null : NewItemBoost.of(cd.config(), cd.weights(), newItemBoost));
        List<Recommendation> top = rec.recommend(hist, null, k, !includeSeen);
        if (top.size() < k && !includeSeen) {
            long seen = java.util.Arrays.stream(hist).distinct().count();
            spec.commandLine()
                    .getErr()
                    .println("recsys: "
                            + (top.isEmpty()
                                    ? "no item left to recommend"
                                    : "only " + top.size() + " items left to recommend")
                            + ": the history covers " + seen + " of the "
                            + cd.config().numItems()
                            + " items in the catalogue, and seen items are left out (--include-seen ranks them too)");
        }
        Map<Integer, String> addedTitles = new HashMap<>();
        if (addition != null) {
            for (int j = 0; j < newEntries.size(); j++) {
                addedTitles.put(
                        addition.entries().get(j).dense(), newEntries.get(j).displayTitle());
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Recommendation r : top) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("item", ids != null ? ids.get(r.item()) : Integer.toString(r.item()));
            row.put("score", r.score());
            String t = addedTitles.get(r.item());
            row.put("title", t != null ? t : title(d, r.item()));
            if (addition != null) {
                row.put("new", r.item() > addition.baseItems());
            }
            rows.add(row);
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(rows));
        } else {
            out.printf(Locale.ROOT, "%-4s %-10s %-9s %s%n", "rank", "item", "score", "title");
            int rank = 1;
            for (Map<String, Object> row : rows) {
                out.printf(
                        Locale.ROOT,
                        "%-4d %-10s %-9.4f %s%s%n",
                        rank++,
                        row.get("item"),
                        (Float) row.get("score"),
                        row.get("title") == null ? "" : row.get("title"),
                        Boolean.TRUE.equals(row.get("new")) ? "  [new]" : "");
            }
        }
    }

    private static int lookupUser(Dataset d, String user) {
        int u;
        try {
            u = d.userIds().keyType() == dev.recsys.api.data.IdMap.KeyType.LONG
                    ? d.userIds().get(Long.parseLong(user.trim()))
                    : d.userIds().get(user.trim());
        } catch (NumberFormatException e) {
            throw new DataException("--user " + user + ": this data set has numeric user ids");
        }
        if (u <= 0) {
            throw new DataException("unknown user id '" + user + "' in " + d.name());
        }
        return u;
    }

    private static String title(Dataset d, int item) {
        if (d == null || !d.hasMeta()) {
            return null;
        }
        return d.meta().title(item);
    }
}
