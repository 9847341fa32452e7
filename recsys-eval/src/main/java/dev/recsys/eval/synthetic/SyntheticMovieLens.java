package dev.recsys.eval.synthetic;

import dev.recsys.api.data.IdMap;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetBuilder;
import dev.recsys.eval.data.ItemMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic MovieLens-style data set with planted structure, generated in memory from a seed, so
 * that examples and the quickstart run anywhere with no download.
 *
 * <p>Items: the catalogue is cut into <em>series</em> of 2 to 6 consecutive item ids (item i is
 * followed by item i+1 within a series). A series has a main genre (sometimes a second one), a
 * popularity weight (Zipf-like), a release year, and a two-word title drawn from its genre's word
 * pool, so that title tokens carry genre information ("Galaxy Orbit 2 (1987)").
 *
 * <p>Users: each user likes two genres (weights 0.55 and 0.3; the rest share 0.15). A sequence starts
 * with a series opener of a liked genre; then at each step, with probability {@code pSeries} the user
 * continues the current series (last item's successor, if unseen); otherwise they open a new series,
 * choosing its genre by their own affinity (most of the time) and the series by popularity.
 * Consequences a test can check: a first-order Markov model learns the series continuations and beats
 * most-popular; the genre affinity is only visible from the whole history (and the content), which a
 * sequence model can use to beat Markov as well. Ratings are higher for liked genres (4-5) than for
 * others (2-4). Timestamps increase along each sequence (gaps of about a day) from a user-specific
 * start in 2000-2005.
 */
public final class SyntheticMovieLens {
    /** Genre names (MovieLens spelling). */
    public static final List<String> GENRES =
            List.of("Action", "Comedy", "Drama", "Horror", "Sci-Fi", "Romance", "Thriller", "Animation");

    private static final String[][] WORDS = {
        {"Fury", "Strike", "Bullet", "Force", "Steel", "Fire", "Raid", "Hunter", "Vengeance", "Rogue", "Blade", "Storm"
        },
        {
            "Wedding",
            "Crazy",
            "Party",
            "Holiday",
            "Buddies",
            "Fools",
            "Trouble",
            "Vacation",
            "Neighbours",
            "Prank",
            "Family",
            "Bananas"
        },
        {
            "River",
            "Silence",
            "Letters",
            "Winter",
            "Daughter",
            "Promise",
            "Memory",
            "Journey",
            "Garden",
            "Soul",
            "Hope",
            "Shadow"
        },
        {
            "Haunting",
            "Blood",
            "Night",
            "Curse",
            "Ghost",
            "Scream",
            "Cellar",
            "Witch",
            "Grave",
            "Fog",
            "Hollow",
            "Darkness"
        },
        {
            "Galaxy", "Android", "Quantum", "Orbit", "Nova", "Planet", "Cyber", "Star", "Signal", "Void", "Machine",
            "Future"
        },
        {"Kiss", "Heart", "Paris", "Love", "Summer", "Forever", "Bride", "Dance", "Moon", "Café", "Desire", "Roses"},
        {
            "Conspiracy",
            "Witness",
            "Target",
            "Agent",
            "Trap",
            "Cipher",
            "Deadline",
            "Suspect",
            "Pursuit",
            "Alibi",
            "Ransom",
            "Edge"
        },
        {
            "Dragon",
            "Kingdom",
            "Little",
            "Magic",
            "Toys",
            "Forest",
            "Robot",
            "Princess",
            "Penguin",
            "Island",
            "Wizard",
            "Bear"
        },
    };

    /**
     * Generator settings.
     *
     * @param users      number of users
     * @param items      number of items
     * @param meanLength mean interactions per user (lengths uniform in [mean/2, 3*mean/2])
     * @param pSeries    probability of continuing the current series when possible
     * @param seed       random seed
     */
    public record Config(int users, int items, int meanLength, double pSeries, long seed) {
        public Config {
            if (users < 1 || items < 10 || meanLength < 4) {
                throw new IllegalArgumentException("need users >= 1, items >= 10, meanLength >= 4, found " + users
                        + ", " + items + ", " + meanLength);
            }
            if (meanLength * 3 / 2 > items / 2) {
                throw new IllegalArgumentException(
                        "meanLength " + meanLength + " is too large for " + items + " items (at most items/3)");
            }
            if (!(pSeries >= 0 && pSeries <= 1)) {
                throw new IllegalArgumentException("pSeries must be in [0, 1], found " + pSeries);
            }
        }

        /** Defaults: 1,000 users, 400 items, 40 interactions each, pSeries 0.3, seed 42. */
        public static Config defaults() {
            return new Config(1000, 400, 40, 0.3, 42L);
        }

        /** Defaults with another seed. */
        public Config withSeed(long s) {
            return new Config(users, items, meanLength, pSeries, s);
        }
    }

    private SyntheticMovieLens() {}

    /** Generates the default data set (seed 42). */
    public static Dataset generate() {
        return generate(Config.defaults());
    }

    /** Generates a data set; the same config always gives the same data. */
    public static Dataset generate(Config c) {
        SplittableRandom rnd = new SplittableRandom(c.seed());
        int n = c.items();
        int g = GENRES.size();
        int[] itemGenre = new int[n + 1];
        int[] second = new int[n + 1];
        int[] successor = new int[n + 1];
        boolean[] opener = new boolean[n + 1];
        double[] weight = new double[n + 1];
        String[] titles = new String[n + 1];
        String[][] genres = new String[n + 1][];
        int[] years = new int[n + 1];
        genres[0] = new String[0];
        int i = 1;
        int seriesNo = 0;
        while (i <= n) {
            int len = Math.min(n - i + 1, 2 + rnd.nextInt(5));
            int genre = rnd.nextInt(g);
            int sec = rnd.nextDouble() < 0.3 ? rnd.nextInt(g) : -1;
            if (sec == genre) {
                sec = -1;
            }
            seriesNo++;
            double w = 1.0 / Math.pow(1 + rnd.nextInt(n / 3 + 1), 0.8);
            String[] pool = WORDS[genre];
            String name = pool[rnd.nextInt(pool.length)] + " " + pool[rnd.nextInt(pool.length)];
            int year = 1950 + rnd.nextInt(66);
            for (int k = 0; k < len; k++, i++) {
                itemGenre[i] = genre;
                second[i] = sec;
                opener[i] = k == 0;
                successor[i] = k + 1 < len ? i + 1 : 0;
                weight[i] = w * Math.pow(0.8, k);
                titles[i] = k == 0 ? name : name + " " + (k + 1);
                years[i] = Math.min(2020, year + 2 * k);
                genres[i] =
                        sec >= 0 ? new String[] {GENRES.get(genre), GENRES.get(sec)} : new String[] {GENRES.get(genre)};
            }
        }
        // per genre: openers and their cumulative weights
        List<List<Integer>> openers = new ArrayList<>();
        for (int q = 0; q < g; q++) {
            openers.add(new ArrayList<>());
        }
        for (int it = 1; it <= n; it++) {
            if (opener[it]) {
                openers.get(itemGenre[it]).add(it);
                if (second[it] >= 0) {
                    openers.get(second[it]).add(it);
                }
            }
        }
        int[][] op = new int[g][];
        double[][] cum = new double[g][];
        for (int q = 0; q < g; q++) {
            op[q] = openers.get(q).stream().mapToInt(Integer::intValue).toArray();
            cum[q] = new double[op[q].length];
            double s = 0;
            for (int k = 0; k < op[q].length; k++) {
                s += weight[op[q][k]];
                cum[q][k] = s;
            }
        }
        DatasetBuilder b = new DatasetBuilder(IdMap.ofLongs(c.users()), IdMap.ofLongs(n), true, true, false);
        for (int it = 1; it <= n; it++) {
            b.itemIds().add(it);
        }
        int[] seen = new int[n + 1];
        for (int u = 1; u <= c.users(); u++) {
            int du = b.userIds().add(u);
            int fav1 = rnd.nextInt(g);
            int fav2 = (fav1 + 1 + rnd.nextInt(g - 1)) % g;
            int len = c.meanLength() / 2 + rnd.nextInt(c.meanLength() + 1);
            long t = 946_684_800L + rnd.nextLong(5L * 365 * 86_400);
            int last = 0;
            for (int step = 0; step < len; step++) {
                int next = 0;
                if (last != 0 && successor[last] != 0 && seen[successor[last]] != u && rnd.nextDouble() < c.pSeries()) {
                    next = successor[last];
                }
                for (int tries = 0; next == 0 && tries < 50; tries++) {
                    double x = rnd.nextDouble();
                    int genre = x < 0.55 ? fav1 : x < 0.85 ? fav2 : rnd.nextInt(g);
                    if (op[genre].length == 0) {
                        continue;
                    }
                    int cand = pick(op[genre], cum[genre], rnd);
                    if (seen[cand] != u) {
                        next = cand;
                    }
                }
                for (int tries = 0; next == 0 && tries < 10 * n; tries++) {
                    int cand = 1 + rnd.nextInt(n);
                    if (seen[cand] != u) {
                        next = cand;
                    }
                }
                if (next == 0) {
                    break;
                }
                seen[next] = u;
                boolean liked = itemGenre[next] == fav1
                        || itemGenre[next] == fav2
                        || second[next] == fav1
                        || second[next] == fav2;
                float rating = liked ? (rnd.nextDouble() < 0.6 ? 4f : 5f) : (float) (2 + rnd.nextInt(3));
                t += 3_600 + rnd.nextLong(2 * 86_400);
                b.add(du, b.itemIds().get(next), rating, t, 0);
                last = next;
            }
        }
        return b.build("synthetic-movielens(seed=" + c.seed() + ")", new ItemMeta(titles, genres, years));
    }

    private static int pick(int[] items, double[] cum, SplittableRandom rnd) {
        double x = rnd.nextDouble() * cum[cum.length - 1];
        int lo = 0;
        int hi = cum.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return items[lo];
    }
}
