package dev.recsys.eval.pipeline;

import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Vocabulary;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.train.TrainingData;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.ColdStartSplit;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;

/**
 * A data set made ready for a model: the split (leave-one-out, or the one a prepared folder
 * records, {@link Dataset#split()}), the content table and its
 * vocabulary (null without content), and the training sequences.
 *
 * @param split       the split for training and validation ({@link #split(Target)} gives the one for each target)
 * @param eventTypes  event types the model reads (the data's types + 1 for "none"; 0 = none)
 * @param fingerprint SHA-256 of the interactions, for provenance
 * @param coldStart   the cold-start items protocol's splits, or null when every item is warm
 */
public record Prepared(
        Dataset dataset,
        Split split,
        ItemContent content,
        Vocabulary vocabulary,
        TrainingData training,
        int eventTypes,
        String fingerprint,
        ColdStartSplit coldStart) {

    /** The split to evaluate {@code t} on (they differ only under the cold-start items protocol). */
    public Split split(Target t) {
        return coldStart == null ? split : coldStart.forTarget(t);
    }

    /** The cold items, or null when every item is warm. */
    public ColdItems coldItems() {
        return coldStart == null ? null : coldStart.cold();
    }

    /** As {@link #of(Dataset, ContentBuilder, ColdItems)} with every item warm. */
    public static Prepared of(Dataset d, ContentBuilder content) {
        return of(d, content, null);
    }

    /**
     * Splits {@code d} (leave-one-out, or as {@link Dataset#split()} says) and builds the training sequences (with event types and
     * ratings when the data has them) and, when {@code content} is not null and the data has
     * titled items, the item content table.
     *
     * @param content how titles become tokens, or null for an id-only model
     * @param cold    items held out of training and of every history (the cold-start items
     *                protocol, {@link ColdItems}), or null for none
     */
    public static Prepared of(Dataset d, ContentBuilder content, ColdItems cold) {
        Split split = d.split() == null ? LeaveOneOut.split(d) : d.split().apply(d);
        ColdStartSplit coldStart = null;
        if (cold != null) {
            coldStart = cold.apply(split);
            split = coldStart.validation();
        }
        ItemContent table = null;
        Vocabulary vocab = null;
        if (content != null && d.hasMeta() && d.meta().titledItems() > 0) {
            ContentBuilder.Result r = content.build(d);
            table = r.content();
            vocab = r.vocabulary();
        }
        int eventTypes = d.hasEvents() ? d.eventTypes().size() + 1 : 0;
        int[][] train = split.train();
        int[][] events = null;
        if (eventTypes > 0) {
            events = new int[train.length][];
            for (int u = 0; u < train.length; u++) {
                int[] e = split.trainEvents()[u];
                events[u] = e == null ? new int[train[u].length] : e;
            }
        }
        float[][] ratings = null;
        if (split.trainRatings() != null) {
            ratings = new float[train.length][];
            for (int u = 0; u < train.length; u++) {
                float[] r = split.trainRatings()[u];
                ratings[u] = r == null ? new float[train[u].length] : r;
            }
        }
        TrainingData td = new TrainingData(d.numItems(), train, events, ratings, cold == null ? null : cold.mask());
        String fp = Provenance.fingerprint(flatten(train), split.validation(), split.test());
        return new Prepared(d, split, table, vocab, td, eventTypes, fp, coldStart);
    }

    /** Vocabulary size of the content table (0 without content): {@code ModelConfig.contentVocab}. */
    public int contentVocab() {
        return vocabulary == null ? 0 : vocabulary.size();
    }

    /** Catalogue size. */
    public int numItems() {
        return dataset.numItems();
    }

    private static int[] flatten(int[][] a) {
        int n = 0;
        for (int[] x : a) {
            n += x.length + 1;
        }
        int[] out = new int[n];
        int k = 0;
        for (int[] x : a) {
            out[k++] = -1;
            System.arraycopy(x, 0, out, k, x.length);
            k += x.length;
        }
        return out;
    }
}
