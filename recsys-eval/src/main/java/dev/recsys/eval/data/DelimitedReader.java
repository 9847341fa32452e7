package dev.recsys.eval.data;

import dev.recsys.api.DataException;
import dev.recsys.api.data.IdMap;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a user's own interaction log from a delimited text file with named columns, e.g.
 * <pre>{@code
 * Dataset d = DelimitedReader.builder().delimiter(",").user("customer").item("sku")
 *         .timestamp("time").event("action").build().read(path);
 * }</pre>
 * Columns are found by name in the header line, or, with {@code header(false)}, named by
 * {@link Builder#columns(String...)}. User and item ids are text by default
 * ({@link Builder#numericIds(boolean)} for numbers). Timestamps may be integers (kept as they are)
 * or ISO-8601 instants, date-times (UTC) or dates, converted to epoch seconds. Event types are
 * names, numbered 1..E in order of first appearance. Quoted fields (RFC 4180) are understood.
 */
public final class DelimitedReader {
    private static final Logger LOG = LoggerFactory.getLogger(DelimitedReader.class);

    private final byte[] delimiter;
    private final boolean header;
    private final boolean quotes;
    private final Charset charset;
    private final List<String> columns;
    private final String user;
    private final String item;
    private final String rating;
    private final String timestamp;
    private final String event;
    private final boolean numericIds;
    private final String name;

    private DelimitedReader(Builder b) {
        this.delimiter = b.delimiter.getBytes(b.charset);
        this.header = b.header;
        this.quotes = b.quotes;
        this.charset = b.charset;
        this.columns = b.columns;
        this.user = Objects.requireNonNull(b.user, "the user column must be set (user(name))");
        this.item = Objects.requireNonNull(b.item, "the item column must be set (item(name))");
        this.rating = b.rating;
        this.timestamp = b.timestamp;
        this.event = b.event;
        this.numericIds = b.numericIds;
        this.name = b.name;
        if (!header && columns == null) {
            throw new IllegalArgumentException("without a header line, name the columns with columns(...)");
        }
    }

    /** A new builder (comma, header line, quotes, UTF-8, text ids). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A reader for a file whose header line names the columns {@code user}, {@code item} and
     * optionally {@code rating}, {@code timestamp}, {@code event} (in any case and order; other
     * columns are ignored). The delimiter is a tab if the header holds one, else a semicolon if it
     * holds no comma, else a comma. The header is read like the data (UTF-8, a byte-order mark
     * skipped, quoted names understood).
     */
    public static Builder namedColumns(Path file) throws IOException {
        DataPaths.requireFile(file, "a delimited text file with a header line");
        try (LineScanner s = new LineScanner(file, StandardCharsets.UTF_8)) {
            if (!s.next()) {
                throw new DataException(
                        file
                                + ":1: empty file; expected a header naming the columns user,item[,rating][,timestamp][,event]");
            }
            String header = s.lineText();
            String delim = header.contains("\t") ? "\t" : header.contains(";") && !header.contains(",") ? ";" : ",";
            int nf = s.split(delim.getBytes(StandardCharsets.UTF_8), true);
            Map<String, String> byLowerCase = new LinkedHashMap<>();
            for (int k = 0; k < nf; k++) {
                String name = s.stringField(k, "column name").strip();
                byLowerCase.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            }
            if (!byLowerCase.containsKey("user") || !byLowerCase.containsKey("item")) {
                throw s.error(
                        "the header must name the columns 'user' and 'item' (and optionally rating, timestamp, event); found "
                                + LineScanner.quote(byLowerCase.values().toString()));
            }
            return builder()
                    .delimiter(delim)
                    .header(true)
                    .user(byLowerCase.get("user"))
                    .item(byLowerCase.get("item"))
                    .rating(byLowerCase.get("rating"))
                    .timestamp(byLowerCase.get("timestamp"))
                    .event(byLowerCase.get("event"));
        }
    }

    /** Reads {@code file} into a dataset. */
    public Dataset read(Path file) throws IOException {
        DataPaths.requireFile(file, "a delimited text file");
        long t0 = System.nanoTime();
        IdMap.KeyType kt = numericIds ? IdMap.KeyType.LONG : IdMap.KeyType.STRING;
        DatasetBuilder b =
                new DatasetBuilder(IdMap.of(kt), IdMap.of(kt), rating != null, timestamp != null, event != null);
        int cu = -1;
        int ci = -1;
        int cr = -1;
        int ct = -1;
        int ce = -1;
        boolean resolved = false;
        try (LineScanner s = new LineScanner(file, charset)) {
            while (s.next()) {
                if (s.isBlank()) {
                    continue;
                }
                int nf = s.split(delimiter, quotes);
                if (!resolved) {
                    List<String> names = columns;
                    if (header) {
                        names = new ArrayList<>();
                        for (int k = 0; k < nf; k++) {
                            names.add(s.stringField(k, "column name").strip());
                        }
                    }
                    cu = find(names, user, file);
                    ci = find(names, item, file);
                    cr = rating == null ? -1 : find(names, rating, file);
                    ct = timestamp == null ? -1 : find(names, timestamp, file);
                    ce = event == null ? -1 : find(names, event, file);
                    resolved = true;
                    if (header) {
                        continue;
                    }
                }
                int u = numericIds
                        ? b.userIds().add(s.longField(cu, user))
                        : b.userIds().add(s.stringField(cu, user).strip());
                int i = numericIds
                        ? b.itemIds().add(s.longField(ci, item))
                        : b.itemIds().add(s.stringField(ci, item).strip());
                float r = cr < 0 ? 0f : s.floatField(cr, rating);
                long t = ct < 0 ? 0L : parseTime(s, ct);
                int e = ce < 0 ? 0 : b.eventTypes().add(s.stringField(ce, event).strip());
                b.add(u, i, r, t, e);
            }
        }
        if (b.size() == 0) {
            throw new DataException(file + ": no interactions");
        }
        String n = name != null ? name : file.getFileName().toString();
        Dataset d = b.build(n, null);
        LOG.info("read {} in {} ms", d, (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    private long parseTime(LineScanner s, int k) {
        if (s.isInteger(k)) {
            return s.longField(k, timestamp);
        }
        String v = s.stringField(k, timestamp).strip();
        try {
            return Instant.parse(v).getEpochSecond();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return OffsetDateTime.parse(v).toEpochSecond();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(v.replace(' ', 'T')).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(v).toEpochDay() * 86_400L;
        } catch (DateTimeParseException e) {
            throw s.error(timestamp + " must be an integer or an ISO-8601 instant, date-time or date, found "
                    + LineScanner.quote(v));
        }
    }

    private static int find(List<String> names, String col, Path file) {
        int k = names.indexOf(col);
        if (k < 0) {
            throw new DataException(file + ":1: column '" + col + "' not found; the columns are "
                    + LineScanner.quote(names.toString()));
        }
        return k;
    }

    /** Options for {@link DelimitedReader}. */
    public static final class Builder {
        private String delimiter = ",";
        private boolean header = true;
        private boolean quotes = true;
        private Charset charset = StandardCharsets.UTF_8;
        private List<String> columns;
        private String user;
        private String item;
        private String rating;
        private String timestamp;
        private String event;
        private boolean numericIds;
        private String name;

        private Builder() {}

        /** Field delimiter (one or more characters, e.g. {@code ","}, {@code "\t"}, {@code "::"}). */
        public Builder delimiter(String d) {
            if (d == null || d.isEmpty()) {
                throw new IllegalArgumentException("delimiter must be non-empty");
            }
            this.delimiter = d;
            return this;
        }

        /** Whether the first line names the columns (default true). */
        public Builder header(boolean h) {
            this.header = h;
            return this;
        }

        /** Whether RFC 4180 quoted fields are understood (default true). */
        public Builder quotes(boolean q) {
            this.quotes = q;
            return this;
        }

        /** File charset (default UTF-8; decoded strictly). */
        public Builder charset(Charset c) {
            this.charset = Objects.requireNonNull(c);
            return this;
        }

        /** Column names for a file without a header line. */
        public Builder columns(String... names) {
            this.columns = List.of(names);
            return this;
        }

        /** User id column (required). */
        public Builder user(String col) {
            this.user = col;
            return this;
        }

        /** Item id column (required). */
        public Builder item(String col) {
            this.item = col;
            return this;
        }

        /** Rating column (optional). */
        public Builder rating(String col) {
            this.rating = col;
            return this;
        }

        /** Timestamp column (optional; histories are sorted by it, ties in file order). */
        public Builder timestamp(String col) {
            this.timestamp = col;
            return this;
        }

        /** Event type column (optional). */
        public Builder event(String col) {
            this.event = col;
            return this;
        }

        /** Whether user and item ids are integers (default false: text). */
        public Builder numericIds(boolean n) {
            this.numericIds = n;
            return this;
        }

        /** Dataset name (default: the file name). */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** The reader. */
        public DelimitedReader build() {
            return new DelimitedReader(this);
        }
    }
}
