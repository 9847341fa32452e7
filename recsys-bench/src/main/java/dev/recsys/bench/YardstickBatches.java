package dev.recsys.bench;

import dev.recsys.api.DataException;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Batches exactly as the speed yardstick {@code ../shared/bench/torch_sasrec.py} builds them, for the
 * backends' benchmarks (written once here, engine-free): B users drawn without replacement, every
 * row left-padded to the full {@code maxLen}, the next item as target at each position and one
 * uniform negative outside the user's history (or K negatives shared by the batch).
 *
 * @param train    leave-one-out training sequence per user id (null for absent ids)
 * @param numItems largest item id
 * @param users    user ids present, ascending
 */
public record YardstickBatches(int[][] train, int numItems, int[] users) {

    /** Reads a SASRec {@code user item} file (chronological) and keeps all but each user's last two items. */
    public static YardstickBatches load(Path path) throws IOException {
        Map<Integer, List<Integer>> seqs = new HashMap<>();
        int maxItem = 0;
        int maxUser = 0;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) {
                    continue;
                }
                int u;
                int i;
                try {
                    u = Integer.parseInt(f[0]);
                    i = Integer.parseInt(f[1]);
                } catch (NumberFormatException e) {
                    throw DataException.atLine(
                            path.toString(), n, "expected 'user item' as two integers, found '" + line + "'");
                }
                seqs.computeIfAbsent(u, k -> new ArrayList<>()).add(i);
                maxItem = Math.max(maxItem, i);
                maxUser = Math.max(maxUser, u);
            }
        }
        int[][] train = new int[maxUser + 1][];
        int[] users =
                seqs.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int u : users) {
            List<Integer> s = seqs.get(u);
            int keep = s.size() < 3 ? s.size() : s.size() - 2;
            train[u] = s.subList(0, keep).stream().mapToInt(Integer::intValue).toArray();
        }
        return new YardstickBatches(train, maxItem, users);
    }

    /**
     * One batch of {@code b} users.
     *
     * @param seen   scratch array of {@code numItems + 1} falses (left all false on return)
     * @param shared 0: one negative per position outside the user's history; K &gt; 0: K uniform
     *               negatives shared by the batch
     */
    public TrainBatch batch(int b, int maxLen, SplittableRandom r, boolean[] seen, int shared) {
        int[] u = users.clone();
        for (int i = 0; i < b; i++) {
            int j = i + r.nextInt(u.length - i);
            int t = u[i];
            u[i] = u[j];
            u[j] = t;
        }
        int[][] rows = new int[b][];
        int[] ends = new int[b];
        for (int row = 0; row < b; row++) {
            rows[row] = train[u[row]];
            ends[row] = rows[row].length - 1;
        }
        int[] inp = SeqBatch.leftPad(rows, ends, maxLen, 0);
        int[] pos = SeqBatch.leftPad(rows, ends, maxLen, 1);
        int[] cand = shared > 0 ? null : new int[b * maxLen * 2];
        for (int row = 0; row < b; row++) {
            int[] s = rows[row];
            int n = Math.min(maxLen, s.length - 1);
            if (cand == null) {
                continue;
            }
            for (int v : s) {
                seen[v] = true;
            }
            for (int k = 0; k < n; k++) {
                int dst = row * maxLen + maxLen - n + k;
                int neg;
                do {
                    neg = 1 + r.nextInt(numItems);
                } while (seen[neg]);
                cand[dst * 2] = pos[dst];
                cand[dst * 2 + 1] = neg;
            }
            for (int v : s) {
                seen[v] = false;
            }
        }
        SeqBatch in = new SeqBatch(b, maxLen, inp, null);
        if (shared > 0) {
            int[] negs = new int[shared];
            for (int k = 0; k < shared; k++) {
                negs[k] = 1 + r.nextInt(numItems);
            }
            return new TrainBatch.NextItem(in, pos, new Negatives.SharedByBatch(negs, null, null));
        }
        return new TrainBatch.NextItem(in, pos, new Negatives.PerPosition(cand, 2, null));
    }
}
