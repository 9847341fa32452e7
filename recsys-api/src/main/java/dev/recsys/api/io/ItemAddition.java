package dev.recsys.api.io;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * New catalogue entries for a trained content model, without retraining (issue 15, "new items"):
 * the checkpoint with the items added, and what happened to each item.
 *
 * <p>{@link #of} never changes its input and never changes anything that scores an existing
 * item: new items get the next dense ids {@code N+1, N+2, ...}; their row of
 * {@code item_embedding.weight} is zero (an id never trained has no opinion, as
 * {@code ColdItems.zeroIdRows} does for cold items), so their vector comes from their content
 * alone; their content row is the item marker, then their tokens through the checkpoint's
 * vocabulary (cut to {@code contentLen - 1}, then padding), exactly as items were encoded at
 * training time. Every other tensor is copied unchanged, so an existing item's vector, every user
 * vector and every existing item's stage-1 and stage-2 score stay as they were.
 *
 * <p>Words the vocabulary does not hold (docs/MODEL.md, "New items"): with out-of-vocabulary
 * buckets ({@link Vocabulary#oovBuckets()} &gt; 0) a word takes its hashed bucket, a row trained on
 * the rare words of the training data; without buckets (every checkpoint written before them) it
 * takes {@code [UNK]} when the trained content table uses {@code [UNK]} (its row was trained), and
 * is left out otherwise (an {@code [UNK]} row that no training item used holds its random
 * initialisation: noise, not signal). Such words are listed in {@link Entry#unknown()}.
 *
 * <p>An item whose id is already in the catalogue is refused unless {@code replace} is set; then
 * its content row is replaced in place (same dense id, its trained id row kept) and only that
 * item's scores change. A {@link DataException} names the item (and its file and line when the
 * {@link NewItem#source()} says) for: an id given twice, an id already in the catalogue without
 * {@code replace}, an item without content tokens, an item none of whose words the model can
 * read. An ids-only model (no content) is refused: it cannot place an item it never saw.
 *
 * @param data      the checkpoint with the items (a new object; config {@code numItems} = N + added)
 * @param baseItems N, the catalogue size before
 * @param entries   one entry per given item, in the given order
 */
public record ItemAddition(CheckpointData data, int baseItems, List<Entry> entries) {
    /** Metadata key: how many items were added to the checkpoint after training, in all. */
    public static final String META_ADDED_ITEMS = "addedItems";

    public ItemAddition {
        entries = List.copyOf(entries);
    }

    /**
     * What happened to one given item.
     *
     * @param id       external id
     * @param dense    its dense id in {@link #data()}
     * @param replaced true when it replaced an existing item's content (same dense id)
     * @param tokens   its content token ids after the marker (after truncation)
     * @param unknown  its words that are not in the vocabulary (they took a bucket, {@code [UNK]}, or were left out)
     */
    public record Entry(String id, int dense, boolean replaced, int[] tokens, List<String> unknown) {
        public Entry {
            tokens = tokens.clone();
            unknown = List.copyOf(unknown);
        }

        /** Whether it is a new dense id (not a replacement). */
        public boolean isNew() {
            return !replaced;
        }
    }

    /** What an out-of-vocabulary word becomes in a checkpoint. */
    public enum OovRule {
        /** Its hashed bucket ({@link Vocabulary#oovBuckets()} &gt; 0). */
        BUCKET,
        /** {@code [UNK]}, whose row training used. */
        UNK,
        /** Left out: the vocabulary has no buckets and training never used {@code [UNK]}. */
        DROP
    }

    /** The rule for words outside {@code vocabulary} in a model whose trained content table is {@code content}. */
    public static OovRule oovRule(Vocabulary vocabulary, ItemContent content) {
        if (vocabulary.oovBuckets() > 0) {
            return OovRule.BUCKET;
        }
        for (int t : content.tokens()) {
            if (t == Vocabulary.UNK) {
                return OovRule.UNK;
            }
        }
        return OovRule.DROP;
    }

    /** The rule of a content checkpoint (its vocabulary and trained content table). */
    public static OovRule oovRule(CheckpointData cd) {
        if (cd.vocabulary() == null || cd.content() == null) {
            throw new IllegalArgumentException("the checkpoint has no content vocabulary or content table");
        }
        return oovRule(Vocabulary.fromTokens(cd.vocabulary()), cd.content());
    }

    /** Number of new dense ids (replacements not counted). */
    public int added() {
        return data.config().numItems() - baseItems;
    }

    /**
     * Adds {@code items} to {@code base}; see the class comment for the rules.
     *
     * @param replace allow ids already in the catalogue: their content is replaced in place
     * @throws DataException       for bad items or an ids-only model (one message naming the item)
     * @throws CheckpointException when the checkpoint does not hold what adding needs (its vocabulary)
     */
    public static ItemAddition of(CheckpointData base, List<NewItem> items, boolean replace) {
        ModelConfig c = base.config();
        if (!c.hasContent()) {
            throw new DataException("adding items needs a content model: this model has no item content"
                    + " (an ids-only model cannot place an item it never saw); train one with item content"
                    + " (titles, genres, year: model.useContent true and data with item metadata)");
        }
        if (base.vocabulary() == null) {
            throw new CheckpointException("the checkpoint holds no content vocabulary (model.json \"vocabulary\"),"
                    + " so new items' words cannot be encoded as at training time");
        }
        if (items.isEmpty()) {
            throw new DataException("no items to add");
        }
        Vocabulary vocab;
        try {
            vocab = Vocabulary.fromTokens(base.vocabulary());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                    "the checkpoint's vocabulary is not a recsys content vocabulary (" + e.getMessage()
                            + "), so new items' words cannot be encoded as at training time",
                    e);
        }
        ItemContent oldContent = base.content();
        OovRule rule = oovRule(vocab, oldContent);
        int n = c.numItems();
        int t = c.contentLen();
        List<String> ids = base.itemIds() != null ? base.itemIds() : identityIds(n);
        Map<String, Integer> dense = new HashMap<>(ids.size() * 2);
        for (int i = 1; i < ids.size(); i++) {
            dense.put(ids.get(i), i);
        }
        Map<String, NewItem> given = new HashMap<>();
        List<Entry> entries = new ArrayList<>(items.size());
        List<int[]> newRows = new ArrayList<>();
        Map<Integer, int[]> replacedRows = new LinkedHashMap<>();
        List<String> newIds = new ArrayList<>();
        for (NewItem it : items) {
            NewItem first = given.putIfAbsent(it.id(), it);
            if (first != null) {
                throw new DataException(it.where() + ": the id is given twice"
                        + (first.source() != null ? " (first at " + first.source() + ")" : ""));
            }
            Integer existing = dense.get(it.id());
            if (existing != null && !replace) {
                throw new DataException(it.where() + ": the id is already in the model's catalogue (dense id "
                        + existing + "); give a new id, or replace the item's content explicitly"
                        + " (recsys recommend --replace)");
            }
            if (it.tokens().isEmpty()) {
                throw new DataException(it.where()
                        + ": no content tokens (no title words, genres or year): the model sees an item only"
                        + " through its content");
            }
            List<String> unknown = new ArrayList<>();
            int[] ids1 = new int[it.tokens().size()];
            int m = 0;
            for (String tok : it.tokens()) {
                if (!vocab.contains(tok)) {
                    unknown.add(tok);
                    if (rule == OovRule.DROP) {
                        continue;
                    }
                }
                ids1[m++] = vocab.id(tok);
            }
            if (m == 0) {
                throw new DataException(
                        it.where() + ": none of its " + it.tokens().size()
                                + " tokens is in the model's vocabulary " + abbreviate(unknown)
                                + ", and the model has no trained row for unknown words (no out-of-vocabulary buckets,"
                                + " [UNK] never used in training): it cannot be placed");
            }
            int[] row = Arrays.copyOf(ids1, Math.min(m, t - 1));
            int d;
            if (existing != null) {
                d = existing;
                replacedRows.put(d, row);
            } else {
                d = n + newRows.size() + 1;
                newRows.add(row);
                newIds.add(it.id());
            }
            entries.add(new Entry(it.id(), d, existing != null, row, unknown));
        }
        int n2 = n + newRows.size();
        int[] tokens = Arrays.copyOf(oldContent.tokens(), (n2 + 1) * t);
        for (Map.Entry<Integer, int[]> e : replacedRows.entrySet()) {
            writeRow(tokens, e.getKey(), t, e.getValue());
        }
        for (int k = 0; k < newRows.size(); k++) {
            writeRow(tokens, n + k + 1, t, newRows.get(k));
        }
        ModelConfig c2 = c.withNumItems(n2);
        Weights w = base.weights().copy();
        if (c.itemIds()) {
            Weights.Tensor emb = w.get(ParamLayout.ITEM_EMBEDDING);
            int dim = emb.shape()[1];
            // new rows stay 0: an id never trained has no opinion
            w.put(ParamLayout.ITEM_EMBEDDING, new int[] {n2 + 1, dim}, Arrays.copyOf(emb.data(), (n2 + 1) * dim));
        }
        List<String> ids2 = new ArrayList<>(n2 + 1);
        ids2.addAll(ids);
        ids2.addAll(newIds);
        Map<String, String> meta = new LinkedHashMap<>(base.metadata());
        long before = 0;
        String prev = meta.get(META_ADDED_ITEMS);
        if (prev != null) {
            try {
                before = Long.parseLong(prev);
            } catch (NumberFormatException e) {
                throw new CheckpointException("metadata " + META_ADDED_ITEMS + " is not a number: " + prev, e);
            }
        }
        meta.put(META_ADDED_ITEMS, Long.toString(before + newRows.size()));
        CheckpointData data = new CheckpointData(
                c2, w, new ItemContent(n2, t, tokens), base.vocabulary(), ids2, meta, base.provenance());
        return new ItemAddition(data, n, entries);
    }

    private static void writeRow(int[] tokens, int item, int t, int[] row) {
        int o = item * t;
        Arrays.fill(tokens, o, o + t, ItemContent.PAD);
        tokens[o] = ItemContent.MARKER;
        System.arraycopy(row, 0, tokens, o + 1, row.length);
    }

    private static List<String> identityIds(int n) {
        List<String> l = new ArrayList<>(n + 1);
        l.add("");
        for (int i = 1; i <= n; i++) {
            l.add(Integer.toString(i));
        }
        return l;
    }

    private static String abbreviate(List<String> words) {
        return words.size() <= 8 ? words.toString() : words.subList(0, 8) + " and " + (words.size() - 8) + " more";
    }
}
