package dev.recsys.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.CheckpointException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint folder of docs/ARCHITECTURE.md ("The checkpoint format"), shared by every backend.
 *
 * <pre>
 * model.json             {"format": "recsys-checkpoint", "formatVersion": 1,
 *                         "config": {every ModelConfig field, see Json},
 *                         "vocabulary": [content token strings, index = token id]   (when known),
 *                         "itemIds": [external item ids, index = dense id, 0 = padding] (when known),
 *                         "metadata": {string: string},
 *                         "provenance": {see Provenance} or null}
 * weights.safetensors    every parameter of ParamLayout.of(config) as F32 with its canonical name and
 *                        shape, plus "item_content.tokens" as I32 [numItems+1, contentLen] for content models
 * optimizer.safetensors  (optional, for resuming) named F32 optimiser tensors, e.g. m.&lt;param&gt;, v.&lt;param&gt;,
 *                        and named I32 tables (see ResumeState for what a training run keeps there)
 * trainer.json           (optional, for resuming) a JSON object of simple values: step, epoch, best metric, RNG state
 * </pre>
 *
 * <p>{@link #write} never deletes a file it did not write. Into an absent folder, an empty one or
 * one that holds a recsys checkpoint and nothing else, it is atomic for the whole folder: the
 * files are written and fsynced in a hidden sibling temp folder, which is then renamed into
 * place; an existing checkpoint is first renamed aside and deleted only after the new one is in
 * place, so a failure at any point leaves either the old or the new checkpoint. A folder that
 * also holds other files (the user's) is never replaced: the checkpoint files are moved into it
 * one by one, the old {@code model.json} first out and the new one last in, so the folder is a
 * complete checkpoint or visibly an incomplete one, and the other files stay as they were.
 * Callers that want to refuse such folders up front (the command line does, unless
 * {@code --force}) ask {@link #inspect} first. A file, a {@code model.json} that is not ours, or
 * checkpoint file names without our {@code model.json} are refused. After a kill during the
 * swap, the old checkpoint is left as {@code .<name>.old-*} next to it ({@link #read} says so);
 * the next successful write to the same place removes such leftovers (and {@code .<name>.writing-*}
 * temp folders), after checking that they hold only checkpoint files. {@link #read} validates
 * everything and fails with a {@link CheckpointException} naming the file and the problem. Not
 * for concurrent writers of the same folder.
 */
public final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    /** Value of {@code format} in model.json. */
    public static final String FORMAT = "recsys-checkpoint";
    /** Newest {@code formatVersion} this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String TRAINER = "trainer.json";
    /** Tensor name of the item content table in weights.safetensors. */
    public static final String CONTENT_TENSOR = "item_content.tokens";

    /** The files a checkpoint folder holds; anything else in it is the user's. */
    public static final List<String> FILES = List.of(MODEL_JSON, WEIGHTS, OPTIMIZER, TRAINER);

    private static final String[] MODEL_JSON_KEYS = {
        "format", "formatVersion", "config", "vocabulary", "itemIds", "metadata", "provenance"
    };

    /** Called on the finished temp folder just before it replaces the target (a test seam). */
    @FunctionalInterface
    interface BeforeSwap {
        void run(Path tempDir) throws IOException;
    }

    private Checkpoint() {}

    // ---------------------------------------------------------------------------------- writing

    /** Writes a model checkpoint folder atomically, replacing an existing checkpoint (and its training state). */
    public static void write(Path dir, CheckpointData data) throws IOException {
        write(dir, data, null, null);
    }

    /**
     * Writes a model checkpoint and its training state as one atomic folder: the way to save a
     * resumable training run.
     *
     * @param state the optimiser and trainer state, or null for a model-only checkpoint
     */
    public static void write(Path dir, CheckpointData data, TrainingState state) throws IOException {
        write(dir, data, state, null);
    }

    static void write(Path dir, CheckpointData data, TrainingState state, BeforeSwap hook) throws IOException {
        long t0 = System.nanoTime();
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) {
            throw new CheckpointException("cannot write a checkpoint to the file-system root " + target);
        }
        try {
            ParamLayout.validate(data.config(), data.weights());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                    "cannot write checkpoint " + target + ": the weights do not match the config: " + e.getMessage(),
                    e);
        }
        Target existing = inspect(target);
        Safetensors.Writer weights = Safetensors.writer()
                .metadata("producer", "recsys " + Provenance.currentRecsysVersion())
                .metadata("format", FORMAT);
        for (ParamLayout.Param p : ParamLayout.of(data.config())) {
            Weights.Tensor t = data.weights().get(p.name());
            weights.f32(p.name(), t.shape(), t.data());
        }
        if (data.content() != null) {
            weights.i32(
                    CONTENT_TENSOR,
                    new int[] {data.content().numItems() + 1, data.content().contentLen()},
                    data.content().tokens());
        }
        String modelJson = Json.pretty(modelJson(data)) + "\n";

        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + WRITING + AtomicFiles.nonce());
        Files.createDirectory(tmp);
        try {
            AtomicFiles.writeFile(tmp.resolve(WEIGHTS), weights::writeTo);
            if (state != null) {
                AtomicFiles.writeFile(tmp.resolve(OPTIMIZER), optimizerWriter(state)::writeTo);
                byte[] trainer = (Json.pretty(state.trainer()) + "\n").getBytes(StandardCharsets.UTF_8);
                AtomicFiles.writeFile(tmp.resolve(TRAINER), ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(trainer)));
            }
            // model.json last: a folder with model.json is complete
            byte[] model = modelJson.getBytes(StandardCharsets.UTF_8);
            AtomicFiles.writeFile(tmp.resolve(MODEL_JSON), ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(model)));
            AtomicFiles.fsyncDir(tmp);
            if (hook != null) {
                hook.run(tmp);
            }
            if (existing.kind() == Target.Kind.CHECKPOINT_WITH_OTHER_FILES
                    || existing.kind() == Target.Kind.OTHER_FILES) {
                writeBeside(tmp, target);
            } else {
                swap(tmp, target);
            }
        } catch (IOException | RuntimeException | Error e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
        LOG.info(
                "wrote checkpoint {} ({} parameters, {} bytes of weights{}) in {} ms",
                target,
                data.weights().parameterCount(),
                weights.fileSize(),
                state == null ? "" : ", with training state",
                (System.nanoTime() - t0) / 1_000_000);
        removeLeftovers(target);
    }

    /** optimizer.safetensors: the float tensors as F32, then the integer tensors as I32. */
    private static Safetensors.Writer optimizerWriter(TrainingState state) {
        Safetensors.Writer w = Safetensors.writer().weights(state.optimizer());
        state.integers().forEach((name, t) -> w.i32(name, t.shape(), t.data()));
        return w;
    }

    /**
     * What a folder holds, as far as writing a checkpoint there goes.
     *
     * @param others the entries that are not checkpoint files (sorted; empty unless kind says so)
     */
    public record Target(Path dir, Kind kind, List<String> others) {
        /** The cases {@link #write} tells apart. */
        public enum Kind {
            /** Nothing there yet. */
            ABSENT,
            /** An empty folder. */
            EMPTY,
            /** A recsys checkpoint and nothing else: replaced whole. */
            CHECKPOINT,
            /** A recsys checkpoint beside other files: the checkpoint files are replaced, the others kept. */
            CHECKPOINT_WITH_OTHER_FILES,
            /** Other files only: the checkpoint is written beside them. */
            OTHER_FILES
        }

        public Target {
            others = List.copyOf(others);
        }

        /** Whether writing here keeps files that are not the checkpoint's. */
        public boolean holdsOtherFiles() {
            return !others.isEmpty();
        }
    }

    /**
     * Looks at a checkpoint destination without changing anything.
     *
     * @throws CheckpointException when nothing may be written there: a file, a {@code model.json}
     *                             that is not a recsys checkpoint, or checkpoint file names without
     *                             our {@code model.json} (they may not be ours)
     */
    public static Target inspect(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return new Target(target, Target.Kind.ABSENT, List.of());
        }
        if (!Files.isDirectory(target)) {
            throw new CheckpointException("cannot write checkpoint " + target + ": it exists and is not a folder");
        }
        List<String> ours = new ArrayList<>();
        List<String> others = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                (FILES.contains(n) && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? ours : others)
                        .add(n);
            }
        }
        others.sort(null);
        if (ours.isEmpty()) {
            return new Target(target, others.isEmpty() ? Target.Kind.EMPTY : Target.Kind.OTHER_FILES, others);
        }
        if (!ours.contains(MODEL_JSON)) {
            throw new CheckpointException("cannot write checkpoint " + target + ": it holds "
                    + String.join(", ", ours.stream().sorted().toList()) + " but no " + MODEL_JSON
                    + " (an interrupted write, or not recsys files); move them away "
                    + "or choose another folder");
        }
        try {
            new ModelJson(target);
        } catch (CheckpointException e) {
            throw new CheckpointException(
                    "cannot write checkpoint " + target + ": its " + MODEL_JSON
                            + " is not a readable recsys checkpoint, and a file recsys did not write is never replaced ("
                            + e.getMessage() + "); choose another folder",
                    e);
        }
        return new Target(
                target, others.isEmpty() ? Target.Kind.CHECKPOINT : Target.Kind.CHECKPOINT_WITH_OTHER_FILES, others);
    }

    /** Moves tmp to target; an existing target (a checkpoint and nothing else) is moved aside first and deleted after. */
    private static void swap(Path tmp, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target)) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDir(parent);
            return;
        }
        Path old = parent.resolve("." + target.getFileName() + OLD + AtomicFiles.nonce());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException restore) {
                e.addSuppressed(restore);
                LOG.error("could not restore the previous checkpoint {} from {}", target, old);
            }
            throw e;
        }
        AtomicFiles.fsyncDir(parent);
        AtomicFiles.deleteQuietly(old);
    }

    /**
     * Moves the checkpoint files of tmp into target, which also holds files that are not ours:
     * our old model.json goes first (from then on the folder reads as incomplete), then the other
     * checkpoint files, stale ones of ours removed, and the new model.json last. Nothing else in
     * target is touched.
     */
    private static void writeBeside(Path tmp, Path target) throws IOException {
        LOG.info("writing checkpoint {} beside files that are not part of it (they are kept)", target);
        Files.deleteIfExists(target.resolve(MODEL_JSON));
        AtomicFiles.fsyncDir(target);
        for (String n : FILES) {
            if (n.equals(MODEL_JSON)) {
                continue;
            }
            Path src = tmp.resolve(n);
            if (Files.exists(src)) {
                AtomicFiles.move(src, target.resolve(n));
            } else {
                Files.deleteIfExists(target.resolve(n));
            }
        }
        AtomicFiles.move(tmp.resolve(MODEL_JSON), target.resolve(MODEL_JSON));
        AtomicFiles.fsyncDir(target);
        Files.delete(tmp);
    }

    private static final String OLD = ".old-";
    private static final String WRITING = ".writing-";

    /**
     * Removes what a killed write left next to target ({@code .<name>.old-*}, {@code .<name>.writing-*}),
     * each only when it holds nothing but checkpoint files.
     */
    private static void removeLeftovers(Path target) {
        Path parent = target.getParent();
        String name = "." + target.getFileName();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(
                parent,
                p -> p.getFileName().toString().startsWith(name + OLD)
                        || p.getFileName().toString().startsWith(name + WRITING))) {
            for (Path p : ds) {
                if (onlyCheckpointFiles(p)) {
                    AtomicFiles.deleteRecursively(p);
                    LOG.info("removed {}, left by an interrupted write of {}", p.getFileName(), target);
                } else {
                    LOG.warn("left {} in place: it holds files that are not a checkpoint's", p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not look for leftovers of earlier writes next to {}: {}", target, e.toString());
        }
    }

    private static boolean onlyCheckpointFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                boolean temp = n.startsWith(".") && n.endsWith(".tmp");
                if (!(FILES.contains(n) || temp) || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Map<String, Object> modelJson(CheckpointData data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", FORMAT_VERSION);
        m.put("config", data.config());
        if (data.vocabulary() != null) {
            m.put("vocabulary", data.vocabulary());
        }
        if (data.itemIds() != null) {
            m.put("itemIds", data.itemIds());
        }
        m.put("metadata", new LinkedHashMap<>(data.metadata()));
        m.put("provenance", data.provenance());
        return m;
    }

    /**
     * Writes the training state into an existing checkpoint folder: {@code optimizer.safetensors}
     * then {@code trainer.json}, each atomically. (The pair is not one atomic unit; to save model
     * and training state together atomically use {@link #write(Path, CheckpointData, TrainingState)}.)
     */
    public static void writeTrainingState(Path dir, Weights optimizerState, Map<String, Object> trainerState)
            throws IOException {
        TrainingState state = new TrainingState(optimizerState, trainerState);
        if (!Files.isRegularFile(dir.resolve(MODEL_JSON))) {
            throw new CheckpointException("cannot write training state into " + dir + ": not a recsys checkpoint ("
                    + MODEL_JSON + " is missing); write the checkpoint first");
        }
        optimizerWriter(state).write(dir.resolve(OPTIMIZER));
        AtomicFiles.writeString(dir.resolve(TRAINER), Json.pretty(state.trainer()) + "\n");
    }

    // ---------------------------------------------------------------------------------- reading

    /** Whether dir looks like a checkpoint (it holds model.json). */
    public static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(MODEL_JSON));
    }

    /** Reads and validates only model.json's config (cheap). */
    public static ModelConfig readConfig(Path dir) throws IOException {
        return new ModelJson(dir).config;
    }

    /** Reads and validates a whole checkpoint. */
    public static CheckpointData read(Path dir) throws IOException {
        long t0 = System.nanoTime();
        ModelJson mj = new ModelJson(dir);
        Path wf = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(wf)) {
            throw new CheckpointException(dir + ": not a complete recsys checkpoint: " + WEIGHTS + " is missing");
        }
        Safetensors.Tensors tensors = Safetensors.read(wf);
        ModelConfig c = mj.config;

        ItemContent content = null;
        if (c.hasContent()) {
            if (!tensors.contains(CONTENT_TENSOR)) {
                throw new CheckpointException(wf + ": missing tensor " + CONTENT_TENSOR + " [" + (c.numItems() + 1)
                        + ", " + c.contentLen() + "] (the config has content, contentVocab=" + c.contentVocab() + ")");
            }
            int[] shape = tensors.shape(CONTENT_TENSOR);
            if (!Arrays.equals(shape, new int[] {c.numItems() + 1, c.contentLen()})) {
                throw new CheckpointException(wf + ": tensor " + CONTENT_TENSOR + " has shape " + Arrays.toString(shape)
                        + ", expected [numItems+1, contentLen] = [" + (c.numItems() + 1) + ", " + c.contentLen() + "]");
            }
            try {
                content = new ItemContent(c.numItems(), c.contentLen(), tensors.ints(CONTENT_TENSOR));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(wf + ": invalid " + CONTENT_TENSOR + ": " + e.getMessage(), e);
            }
        } else if (tensors.contains(CONTENT_TENSOR)) {
            throw new CheckpointException(wf + ": holds " + CONTENT_TENSOR + " but the config in " + MODEL_JSON
                    + " has no content (contentVocab=0)");
        }

        List<ParamLayout.Param> layout = ParamLayout.of(c);
        Set<String> known = new HashSet<>();
        layout.forEach(p -> known.add(p.name()));
        known.add(CONTENT_TENSOR);
        List<String> extra =
                tensors.names().stream().filter(n -> !known.contains(n)).toList();
        if (!extra.isEmpty()) {
            throw new CheckpointException(wf + ": the weights do not match the config in " + MODEL_JSON
                    + ": unexpected parameters for this config: " + extra);
        }
        Weights w = new Weights();
        for (ParamLayout.Param p : layout) {
            if (tensors.contains(p.name())) {
                w.put(p.name(), tensors.shape(p.name()), tensors.floats(p.name()));
            }
        }
        try {
            ParamLayout.validate(c, w);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                    wf + ": the weights do not match the config in " + MODEL_JSON + ": " + e.getMessage(), e);
        }
        CheckpointData data;
        try {
            data = new CheckpointData(c, w, content, mj.vocabulary, mj.itemIds, mj.metadata, mj.provenance);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + ": inconsistent checkpoint: " + e.getMessage(), e);
        }
        LOG.debug(
                "read checkpoint {} ({} parameters) in {} ms",
                dir,
                w.parameterCount(),
                (System.nanoTime() - t0) / 1_000_000);
        return data;
    }

    /**
     * Reads the training state of a checkpoint, or empty when it has none.
     *
     * @throws CheckpointException when only one of optimizer.safetensors and trainer.json exists, or one is invalid
     */
    public static Optional<TrainingState> readTrainingState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw missing(dir);
        }
        Path of = dir.resolve(OPTIMIZER);
        Path tf = dir.resolve(TRAINER);
        boolean hasO = Files.isRegularFile(of);
        boolean hasT = Files.isRegularFile(tf);
        if (!hasO && !hasT) {
            return Optional.empty();
        }
        if (hasO != hasT) {
            throw new CheckpointException(dir + ": incomplete training state: " + (hasO ? OPTIMIZER : TRAINER)
                    + " exists but " + (hasO ? TRAINER : OPTIMIZER) + " is missing");
        }
        Map<String, Object> trainer;
        try {
            trainer = Json.readObject(tf);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(tf + ": not valid trainer state JSON: " + e.getMessage(), e);
        }
        Safetensors.Tensors tensors = Safetensors.read(of);
        Weights opt = new Weights();
        Map<String, TrainingState.IntTensor> ints = new LinkedHashMap<>();
        for (String name : tensors.names()) {
            if (tensors.info(name).dtype().readsAsInt()) {
                ints.put(name, new TrainingState.IntTensor(tensors.shape(name), tensors.ints(name)));
            } else {
                opt.put(name, tensors.shape(name), tensors.floats(name));
            }
        }
        return Optional.of(new TrainingState(opt, trainer, ints));
    }

    private static CheckpointException missing(Path dir) {
        String hint = "";
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + abs.getFileName() + OLD + "*")) {
                for (Path p : ds) {
                    hint = "; an interrupted write left the previous checkpoint in " + p + ": rename it back to use it";
                    break;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot list {}: {}", parent, e.toString());
            }
        }
        return new CheckpointException("checkpoint folder " + dir + " does not exist" + hint);
    }

    /** JSON array of strings (no nulls). */
    @SuppressWarnings("serial")
    private static final class Strings extends ArrayList<String> {}

    /** JSON object of strings. */
    @SuppressWarnings("serial")
    private static final class StringMap extends LinkedHashMap<String, String> {}

    private static void noNulls(java.util.Collection<String> values, String key) {
        if (values != null && values.contains(null)) {
            throw new IllegalArgumentException(MODEL_JSON + " " + key + ": expected strings, found null");
        }
    }

    /** Parsed and validated model.json. */
    private static final class ModelJson {
        final ModelConfig config;
        final List<String> vocabulary;
        final List<String> itemIds;
        final Map<String, String> metadata;
        final Provenance provenance;

        ModelJson(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                if (Files.exists(dir)) {
                    throw new CheckpointException(
                            dir + " is not a recsys checkpoint: a checkpoint is a folder, found a file");
                }
                throw missing(dir);
            }
            Path f = dir.resolve(MODEL_JSON);
            JsonNode m;
            try {
                m = Json.readTree(f);
            } catch (NoSuchFileException e) {
                throw new CheckpointException(dir + " is not a recsys checkpoint: " + MODEL_JSON + " is missing", e);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(f + ": not a recsys checkpoint: " + e.getMessage(), e);
            }
            JsonNode format = m.path("format");
            if (!format.isTextual() || !FORMAT.equals(format.textValue())) {
                throw new CheckpointException(f + ": not a recsys checkpoint: expected \"format\": \"" + FORMAT
                        + "\", found " + (m.has("format") ? Json.describe(format) : "no format key"));
            }
            JsonNode version = m.path("formatVersion");
            if (!version.canConvertToLong() || !version.isIntegralNumber() || version.longValue() < 1) {
                throw new CheckpointException(
                        f + ": expected \"formatVersion\" to be a positive integer, found " + Json.describe(version));
            }
            long v = version.longValue();
            if (v > FORMAT_VERSION) {
                throw new CheckpointException(f + ": written by a newer recsys (formatVersion " + v
                        + "; this version reads " + "up to " + FORMAT_VERSION + "); upgrade recsys to read it");
            }
            try {
                m.fieldNames().forEachRemaining(k -> {
                    if (!List.of(MODEL_JSON_KEYS).contains(k)) {
                        throw new IllegalArgumentException(MODEL_JSON + ": unknown key " + Json.quote(k)
                                + "; known keys: " + List.of(MODEL_JSON_KEYS));
                    }
                });
                if (!m.path("config").isObject() || !m.has("provenance")) {
                    throw new IllegalArgumentException(
                            MODEL_JSON + ": expected the keys \"config\" (an object) and \"provenance\""
                                    + " (an object or null), found "
                                    + (m.has("config") ? "config " + Json.describe(m.get("config")) : "no config")
                                    + (m.has("provenance") ? "" : " and no provenance"));
                }
                config = Json.convert(m.get("config"), ModelConfig.class, MODEL_JSON + " config");
                vocabulary = m.has("vocabulary")
                        ? Json.convert(m.get("vocabulary"), Strings.class, MODEL_JSON + " vocabulary")
                        : null;
                itemIds = m.has("itemIds")
                        ? Json.convert(m.get("itemIds"), Strings.class, MODEL_JSON + " itemIds")
                        : null;
                metadata = m.has("metadata")
                        ? Json.convert(m.get("metadata"), StringMap.class, MODEL_JSON + " metadata")
                        : Map.of();
                noNulls(vocabulary, "vocabulary");
                noNulls(itemIds, "itemIds");
                noNulls(metadata == null ? null : metadata.values(), "metadata");
                provenance = m.get("provenance").isNull()
                        ? null
                        : Json.convert(m.get("provenance"), Provenance.class, MODEL_JSON + " provenance");
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(f + ": " + e.getMessage(), e);
            }
        }
    }
}
