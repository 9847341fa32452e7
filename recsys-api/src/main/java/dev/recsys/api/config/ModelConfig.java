package dev.recsys.api.config;

/**
 * The shape of the model (see docs/MODEL.md, docs/ARCHITECTURE.md and {@link dev.recsys.api.model.ParamLayout}).
 *
 * <p>Item ids are dense {@code 1..numItems}; 0 is padding. Content token ids are dense
 * {@code 0..contentVocab-1} with 0 = padding and 1 = the item marker that starts every item's
 * content, so that no item has empty content. Content is disabled when {@code contentVocab == 0}.
 *
 * @param numItems        catalogue size (ids 1..numItems)
 * @param dim             model width d
 * @param heads           attention heads; {@code dim % heads == 0}
 * @param layers          sequence (user) encoder layers
 * @param ffnDim          hidden width of the position-wise feed-forward
 * @param maxLen          longest user history kept (positions are right-aligned in a window of this length)
 * @param contentVocab    content token vocabulary size including padding (0) and the item marker (1); 0 disables content
 * @param contentLen      content tokens per item (including the item marker)
 * @param contentLayers   content encoder layers (0 = token embeddings only)
 * @param eventTypes      number of event types (0 = no event embedding)
 * @param positional      positional encoding of both encoders
 * @param norm            pre- or post-norm layers
 * @param pooling         pooling of the cross-attention output
 * @param dropout         dropout rate in [0, 1)
 * @param layerNormEps    layer-norm epsilon
 * @param scaleEmbeddings multiply input embeddings by sqrt(d), as SASRec does
 * @param itemIds         use the item-id embedding (false = content only, fully cold-start capable)
 */
public record ModelConfig(
        int numItems,
        int dim,
        int heads,
        int layers,
        int ffnDim,
        int maxLen,
        int contentVocab,
        int contentLen,
        int contentLayers,
        int eventTypes,
        Positional positional,
        Norm norm,
        Pooling pooling,
        float dropout,
        float layerNormEps,
        boolean scaleEmbeddings,
        boolean itemIds) {

    public ModelConfig {
        positive("numItems", numItems);
        positive("dim", dim);
        positive("heads", heads);
        if (dim % heads != 0) {
            throw new IllegalArgumentException(
                    "dim must be divisible by heads: expected dim % heads == 0, found dim=" + dim + ", heads=" + heads);
        }
        nonNegative("layers", layers);
        positive("ffnDim", ffnDim);
        positive("maxLen", maxLen);
        nonNegative("contentVocab", contentVocab);
        nonNegative("contentLayers", contentLayers);
        nonNegative("eventTypes", eventTypes);
        if (contentVocab == 1) {
            throw new IllegalArgumentException(
                    "contentVocab must be 0 (no content) or >= 2 (padding + item marker), found 1");
        }
        if (contentVocab > 0) {
            positive("contentLen", contentLen);
        } else if (contentLen != 0 || contentLayers != 0) {
            throw new IllegalArgumentException(
                    "contentLen and contentLayers must be 0 when contentVocab is 0 (content disabled), found contentLen="
                            + contentLen + ", contentLayers=" + contentLayers);
        }
        if (positional == null || norm == null || pooling == null) {
            throw new IllegalArgumentException("positional, norm and pooling must be set");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
        if (!(layerNormEps > 0f) || Float.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be a finite number > 0, found " + layerNormEps);
        }
        if (!itemIds && contentVocab == 0) {
            throw new IllegalArgumentException(
                    "the model needs item ids or item content: itemIds=false requires contentVocab > 0");
        }
    }

    /** Whether items have content tokens. */
    public boolean hasContent() {
        return contentVocab > 0;
    }

    /** Width of one attention head. */
    public int headDim() {
        return dim / heads;
    }

    /**
     * Tokens per item seen by the cross-attention: {@code contentLen} with content, otherwise 1
     * (the item vector itself).
     */
    public int crossKeyLen() {
        return hasContent() ? contentLen : 1;
    }

    public ModelConfig withNumItems(int n) {
        return new ModelConfig(
                n,
                dim,
                heads,
                layers,
                ffnDim,
                maxLen,
                contentVocab,
                contentLen,
                contentLayers,
                eventTypes,
                positional,
                norm,
                pooling,
                dropout,
                layerNormEps,
                scaleEmbeddings,
                itemIds);
    }

    public ModelConfig withDropout(float p) {
        return new ModelConfig(
                numItems,
                dim,
                heads,
                layers,
                ffnDim,
                maxLen,
                contentVocab,
                contentLen,
                contentLayers,
                eventTypes,
                positional,
                norm,
                pooling,
                p,
                layerNormEps,
                scaleEmbeddings,
                itemIds);
    }

    public ModelConfig withContent(int vocab, int len, int contentLayers) {
        return new ModelConfig(
                numItems,
                dim,
                heads,
                layers,
                ffnDim,
                maxLen,
                vocab,
                len,
                contentLayers,
                eventTypes,
                positional,
                norm,
                pooling,
                dropout,
                layerNormEps,
                scaleEmbeddings,
                itemIds);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, found " + v);
        }
    }

    private static void nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, found " + v);
        }
    }

    /** Builder with SASRec-like defaults: d=64, 1 head, 2 layers, ffn 64, maxLen 200, no content; see the field defaults. */
    public static final class Builder {
        private int numItems = 1;
        private int dim = 64;
        private int heads = 1;
        private int layers = 2;
        private int ffnDim = 64;
        private int maxLen = 200;
        private int contentVocab;
        private int contentLen;
        private int contentLayers;
        private int eventTypes;
        private Positional positional = Positional.LEARNED;
        private Norm norm = Norm.PRE;
        private Pooling pooling = Pooling.MEAN;
        private float dropout = 0.2f;
        private float layerNormEps = 1e-8f;
        private boolean scaleEmbeddings = true;
        private boolean itemIds = true;

        public Builder numItems(int v) {
            numItems = v;
            return this;
        }

        public Builder dim(int v) {
            dim = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder ffnDim(int v) {
            ffnDim = v;
            return this;
        }

        public Builder maxLen(int v) {
            maxLen = v;
            return this;
        }

        public Builder content(int vocab, int len, int nLayers) {
            contentVocab = vocab;
            contentLen = len;
            contentLayers = nLayers;
            return this;
        }

        public Builder eventTypes(int v) {
            eventTypes = v;
            return this;
        }

        public Builder positional(Positional v) {
            positional = v;
            return this;
        }

        public Builder norm(Norm v) {
            norm = v;
            return this;
        }

        public Builder pooling(Pooling v) {
            pooling = v;
            return this;
        }

        public Builder dropout(float v) {
            dropout = v;
            return this;
        }

        public Builder layerNormEps(float v) {
            layerNormEps = v;
            return this;
        }

        public Builder scaleEmbeddings(boolean v) {
            scaleEmbeddings = v;
            return this;
        }

        public Builder itemIds(boolean v) {
            itemIds = v;
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(
                    numItems,
                    dim,
                    heads,
                    layers,
                    ffnDim,
                    maxLen,
                    contentVocab,
                    contentLen,
                    contentLayers,
                    eventTypes,
                    positional,
                    norm,
                    pooling,
                    dropout,
                    layerNormEps,
                    scaleEmbeddings,
                    itemIds);
        }
    }
}
