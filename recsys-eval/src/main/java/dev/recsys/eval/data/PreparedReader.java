package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import dev.recsys.api.data.IdMap;
import dev.recsys.eval.data.PreparedFormat.ItemLine;
import dev.recsys.eval.data.PreparedFormat.Manifest;
import dev.recsys.eval.data.PreparedFormat.UserLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a prepared data folder ({@link PreparedFormat}, {@code --data prepared:DIR}) into a
 * {@link Dataset}, one shard and one line at a time: the raw log is never read again, and what is
 * held is the compact per-user sequences a model trains on. The result is the data set the
 * single-JVM reader of the same log gives (the same dense ids, sequences, timestamps, ratings,
 * event types and item metadata), after the filters the manifest records, and it is split as the
 * manifest says ({@link Dataset#split()}: leave-one-out or the temporal cut-offs).
 */
public final class PreparedReader {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedReader.class);

    private PreparedReader() {}

    /** Reads {@code dir}. */
    public static Dataset read(Path dir) throws IOException {
        long t0 = System.nanoTime();
        Manifest m = PreparedFormat.readManifest(dir);
        IdMap users = IdMap.of(PreparedFormat.keyType(m.userIdType(), "userIdType"));
        UserLine[] lines = new UserLine[m.users() + 1];
        forEachLine(dir, PreparedFormat.SEQUENCES, (line, where) -> {
            UserLine u = UserLine.parse(line, m, where);
            if (lines[u.user()] != null) {
                throw new DataException(where + ": user " + u.user() + " appears twice");
            }
            lines[u.user()] = u;
        });
        String[] itemIds = new String[m.items() + 1];
        String[] titles = new String[m.items() + 1];
        String[][] genres = new String[m.items() + 1][];
        int[] years = new int[m.items() + 1];
        genres[0] = new String[0];
        forEachLine(dir, PreparedFormat.ITEMS, (line, where) -> {
            ItemLine it = ItemLine.parse(line, m.items(), where);
            if (itemIds[it.item()] != null) {
                throw new DataException(where + ": item " + it.item() + " appears twice");
            }
            itemIds[it.item()] = it.external();
            titles[it.item()] = it.title();
            genres[it.item()] = it.genres();
            years[it.item()] = it.year();
        });
        IdMap items = IdMap.of(PreparedFormat.keyType(m.itemIdType(), "itemIdType"));
        for (int i = 1; i <= m.items(); i++) {
            if (itemIds[i] == null) {
                throw new DataException(dir.resolve(PreparedFormat.ITEMS) + ": item " + i + " of 1.." + m.items()
                        + " is missing; the folder is incomplete");
            }
            addId(items, itemIds[i], i, dir.resolve(PreparedFormat.ITEMS).toString());
        }
        for (int u = 1; u <= m.users(); u++) {
            if (lines[u] == null) {
                throw new DataException(dir.resolve(PreparedFormat.SEQUENCES) + ": user " + u + " of 1.." + m.users()
                        + " is missing; the folder is incomplete");
            }
            addId(
                    users,
                    lines[u].external(),
                    u,
                    dir.resolve(PreparedFormat.SEQUENCES).toString());
        }
        ItemMeta meta = new ItemMeta(titles, genres, years);
        Dataset d = build(m, users, items, lines, meta.titledItems() > 0 ? meta : null)
                .withSplit(m.split());
        if (d.numInteractions() != m.interactions()) {
            throw new DataException(dir + ": the sequences hold " + d.numInteractions() + " interactions, the manifest "
                    + m.interactions() + "; the folder is incomplete");
        }
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    /**
     * The data set of some users' lines (a shard): users are numbered 1..lines.size() in the
     * order given, items keep the prepared dense ids (1..N). Used to split and evaluate one part of
     * the users at a time.
     */
    public static Dataset shard(Manifest m, List<UserLine> lines) {
        IdMap users = IdMap.ofStrings();
        UserLine[] arr = new UserLine[lines.size() + 1];
        for (int k = 0; k < lines.size(); k++) {
            arr[k + 1] = lines.get(k);
            users.add(Integer.toString(lines.get(k).user()));
        }
        return build(m, users, IdMap.identity(m.items()), arr, null);
    }

    private static Dataset build(Manifest m, IdMap users, IdMap items, UserLine[] lines, ItemMeta meta) {
        DatasetBuilder b = new DatasetBuilder(users, items, m.ratings(), m.timestamps(), m.events());
        if (m.events()) {
            for (String e : m.eventTypes()) {
                b.eventTypes().add(e);
            }
        }
        for (int u = 1; u < lines.length; u++) {
            UserLine l = lines[u];
            for (int k = 0; k < l.items().length; k++) {
                b.add(
                        u,
                        l.items()[k],
                        l.ratings() == null ? 0f : l.ratings()[k],
                        l.timestamps() == null ? 0L : l.timestamps()[k],
                        l.events() == null ? 0 : l.events()[k]);
            }
        }
        return b.build(m.name(), meta);
    }

    private static void addId(IdMap map, String external, int dense, String where) {
        int got;
        if (map.keyType() == IdMap.KeyType.LONG) {
            try {
                got = map.add(Long.parseLong(external));
            } catch (NumberFormatException e) {
                throw new DataException(where + ": id " + dense + " has the external id '" + external
                        + "', which is not a number although the manifest says the ids are");
            }
        } else {
            got = map.add(external);
        }
        if (got != dense) {
            throw new DataException(
                    where + ": the external id '" + external + "' is given to " + got + " and " + dense);
        }
    }

    /** A line handler that knows where the line came from ({@code file:line}). */
    @FunctionalInterface
    interface LineHandler {
        void accept(String line, String where);
    }

    private static void forEachLine(Path dir, String folder, LineHandler h) throws IOException {
        Path sub = DataPaths.requireFolder(dir.resolve(folder), "the " + folder + " folder of a prepared data set");
        List<Path> parts = new ArrayList<>();
        try (Stream<Path> s = Files.list(sub)) {
            s.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .forEach(parts::add);
        }
        for (Path p : parts) {
            try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (!line.isEmpty()) {
                        h.accept(line, p + ":" + n);
                    }
                }
            }
        }
    }
}
