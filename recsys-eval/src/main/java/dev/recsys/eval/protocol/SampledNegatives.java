package dev.recsys.eval.protocol;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.LineScanner;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Negatives for the sampled protocol: drawn per user from a seed (user u's generator is seeded with
 * a mix of the seed and u, so the draw does not depend on threads or on other users), never a seen
 * item nor the target, distinct. Saved as plain text:
 * <pre>
 * # recsys sampled negatives v1
 * # dataset=... split=... target=TEST n=100 sampling=UNIFORM seed=42 users=6040 items=3416 fingerprint=...
 * &lt;user&gt; &lt;target&gt; &lt;neg1&gt; ... &lt;negN&gt;
 * </pre>
 * A saved file is reused only when its header matches the current split and settings (the
 * fingerprint hashes every user's target and history length); otherwise loading fails and says why.
 */
public final class SampledNegatives {
    private static final Logger LOG = LoggerFactory.getLogger(SampledNegatives.class);
    static final String MAGIC = "# recsys sampled negatives v1";

    private SampledNegatives() {}

    /** The file name used under a protocol's negatives folder. */
    public static String fileName(Split split, Target target, Protocol p) {
        String s = "negatives-" + split.dataset() + "-" + split.name() + "-"
                + target.name().toLowerCase(Locale.ROOT) + "-n" + p.negatives() + "-"
                + p.sampling().name().toLowerCase(Locale.ROOT) + "-seed" + p.seed() + ".txt";
        return s.replaceAll("[^A-Za-z0-9._=-]", "_");
    }

    /**
     * Loads the saved negatives when the protocol names a folder holding a matching file, else draws
     * them (and saves them there when a folder is named).
     *
     * @return negatives per user {@code [U+1][]}, null for users without a target
     */
    public static int[][] obtain(Split split, Target target, Protocol p) throws IOException {
        Map<String, String> header = header(split, target, p);
        if (p.negativesDir() != null) {
            Path file = p.negativesDir().resolve(fileName(split, target, p));
            if (Files.exists(file)) {
                int[][] negs = load(file, header, split, target);
                LOG.info("reusing sampled negatives from {}", file);
                return negs;
            }
            int[][] negs = draw(split, target, p.negatives(), p.sampling(), p.seed());
            save(file, header, split, target, negs);
            LOG.info("saved sampled negatives to {}", file);
            return negs;
        }
        return draw(split, target, p.negatives(), p.sampling(), p.seed());
    }

    /** Draws {@code n} negatives per user with a target. */
    public static int[][] draw(Split split, Target target, int n, Protocol.Sampling sampling, long seed) {
        int nItems = split.numItems();
        int[][] out = new int[split.numUsers() + 1][];
        int[] mark = new int[nItems + 1];
        long[] cdf = null;
        if (sampling == Protocol.Sampling.POPULARITY) {
            int[] pop = split.trainItemCounts();
            cdf = new long[nItems + 1];
            for (int i = 1; i <= nItems; i++) {
                cdf[i] = cdf[i - 1] + pop[i];
            }
        }
        for (int u = 1; u <= split.numUsers(); u++) {
            int t = split.target(u, target);
            if (t == 0) {
                continue;
            }
            int stamp = u;
            int excluded = 0;
            for (int h : split.history(u, target)) {
                if (mark[h] != stamp) {
                    mark[h] = stamp;
                    excluded++;
                }
            }
            if (mark[t] != stamp) {
                mark[t] = stamp;
                excluded++;
            }
            int available = nItems - excluded;
            if (available <= n) {
                int[] all = new int[available];
                int c = 0;
                for (int i = 1; i <= nItems; i++) {
                    if (mark[i] != stamp) {
                        all[c++] = i;
                    }
                }
                out[u] = all;
                continue;
            }
            SplittableRandom r = new SplittableRandom(mix(seed, u));
            int[] negs = new int[n];
            int c = 0;
            int tries = 0;
            while (c < n) {
                int i;
                if (cdf != null && cdf[nItems] > 0 && tries < 100 * n) {
                    long x = r.nextLong(cdf[nItems]);
                    i = upperBound(cdf, x);
                } else {
                    i = 1 + r.nextInt(nItems);
                }
                tries++;
                if (mark[i] != stamp) {
                    mark[i] = stamp;
                    negs[c++] = i;
                }
            }
            out[u] = negs;
        }
        return out;
    }

    /** Smallest i with cdf[i] > x. */
    private static int upperBound(long[] cdf, long x) {
        int lo = 1;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static long mix(long seed, int u) {
        long z = seed + 0x9E3779B97F4A7C15L * (u + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static Map<String, String> header(Split split, Target target, Protocol p) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("dataset", split.dataset().replace(' ', '_'));
        h.put("split", split.name().replace(' ', '_'));
        h.put("target", target.name());
        h.put("n", Integer.toString(p.negatives()));
        h.put("sampling", p.sampling().name());
        h.put("seed", Long.toString(p.seed()));
        h.put("users", Integer.toString(split.numUsers()));
        h.put("items", Integer.toString(split.numItems()));
        h.put("fingerprint", fingerprint(split, target));
        return h;
    }

    private static String fingerprint(Split split, Target target) {
        long h = 0xcbf29ce484222325L;
        for (int u = 1; u <= split.numUsers(); u++) {
            h = (h ^ split.target(u, target)) * 0x100000001b3L;
            h = (h ^ split.history(u, target).length) * 0x100000001b3L;
        }
        return Long.toHexString(h);
    }

    /** Writes {@code negs} with {@code header} (atomically: temp file, then move). */
    static void save(Path file, Map<String, String> header, Split split, Target target, int[][] negs)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(MAGIC);
            w.newLine();
            StringBuilder sb = new StringBuilder("#");
            header.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            w.write(sb.toString());
            w.newLine();
            for (int u = 1; u < negs.length; u++) {
                if (negs[u] == null) {
                    continue;
                }
                StringBuilder line = new StringBuilder();
                line.append(u).append(' ').append(split.target(u, target));
                for (int i : negs[u]) {
                    line.append(' ').append(i);
                }
                w.write(line.toString());
                w.newLine();
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a saved file, checking it was made for {@code expected} settings and this split. */
    static int[][] load(Path file, Map<String, String> expected, Split split, Target target) throws IOException {
        int[][] out = new int[split.numUsers() + 1][];
        try (var lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String magic = lines.readLine();
            if (!MAGIC.equals(magic)) {
                throw DataException.atLine(
                        file.toString(), 1, "expected '" + MAGIC + "', found " + LineScanner.quote(magic));
            }
            String h = lines.readLine();
            Map<String, String> found = new LinkedHashMap<>();
            if (h != null && h.startsWith("#")) {
                for (String kv : h.substring(1).trim().split("\\s+")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        found.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            if (!found.equals(expected)) {
                throw DataException.atLine(
                        file.toString(),
                        2,
                        "these negatives were drawn for other settings or another split: expected " + expected
                                + ", found " + found + "; delete the file or choose another folder to draw new ones");
            }
            String line;
            long no = 2;
            while ((line = lines.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                try {
                    int u = Integer.parseInt(f[0]);
                    int t = Integer.parseInt(f[1]);
                    if (u < 1 || u > split.numUsers() || split.target(u, target) != t) {
                        throw DataException.atLine(
                                file.toString(), no, "user " + u + " with target " + t + " does not match the split");
                    }
                    int[] negs = new int[f.length - 2];
                    for (int k = 2; k < f.length; k++) {
                        negs[k - 2] = Integer.parseInt(f[k]);
                        if (negs[k - 2] < 1 || negs[k - 2] > split.numItems()) {
                            throw DataException.atLine(
                                    file.toString(),
                                    no,
                                    "item id must be in 1.." + split.numItems() + ", found " + negs[k - 2]);
                        }
                    }
                    out[u] = negs;
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw DataException.atLine(
                            file.toString(),
                            no,
                            "expected 'user target neg1 ... negN', found " + LineScanner.quote(line));
                }
            }
        }
        for (int u = 1; u <= split.numUsers(); u++) {
            if (split.target(u, target) != 0 && out[u] == null) {
                throw new DataException(
                        file + ": no negatives for user " + u + ", who has a target; delete the file to draw new ones");
            }
        }
        return out;
    }

    /** Total number of negatives (for logging and tests). */
    static long count(int[][] negs) {
        return Arrays.stream(negs)
                .filter(a -> a != null)
                .mapToLong(a -> a.length)
                .sum();
    }
}
