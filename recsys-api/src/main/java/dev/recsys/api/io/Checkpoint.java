package dev.recsys.api.io;

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
 * The checkpoint folder of DESIGN.md, shared by every backend.
 *
 * <pre>
 * model.json             {"format": "recsys-checkpoint", "formatVersion": 1,
 *                         "config": {every ModelConfig field, see ConfigJson},
 *                         "vocabulary": [content token strings, index = token id]   (when known),
 *                         "itemIds": [external item ids, index = dense id, 0 = padding] (when known),
 *                         "metadata": {string: string},
 *                         "provenance": {see Provenance} or null}
 * weights.safetensors    every parameter of ParamLayout.of(config) as F32 with its canonical name and
 *                        shape, plus "item_content.tokens" as I32 [numItems+1, contentLen] for content models
 * optimizer.safetensors  (optional, for resuming) named F32 optimiser tensors, e.g. m.&lt;param&gt;, v.&lt;param&gt;
 * trainer.json           (optional, for resuming) a JSON object of simple values: step, epoch, best metric, RNG state
 * </pre>
 *
 * <p>{@link #write} is atomic for the whole folder: the files are written and fsynced in a
 * hidden sibling temp folder, which is then renamed into place; an existing checkpoint is
 * first renamed aside and deleted only after the new one is in place, so a failure at any
 * point leaves either the old or the new checkpoint (after a crash between the two renames,
 * the old one is left as {@code .<name>.old-*} next to it, and {@link #read} says so). A folder
 * that exists but is not a checkpoint is never replaced; the folder belongs to the checkpoint,
 * so other files in an existing checkpoint folder go with it (a warning lists them). {@link #read} validates everything
 * and fails with a {@link CheckpointException} naming the file and the problem. Not for
 * concurrent writers of the same folder.
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

    private static final String[] MODEL_JSON_KEYS = {"format", "formatVersion", "config", "vocabulary", "itemIds",
        "metadata", "provenance"};

    /** Called on the finished temp folder just before it replaces the target (a test seam). */
    @FunctionalInterface
    interface BeforeSwap {
        void run(Path tempDir) throws IOException;
    }

    private Checkpoint() {
    }

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
            throw new CheckpointException("cannot write checkpoint " + target + ": the weights do not match the config: "
                    + e.getMessage(), e);
        }
        checkReplaceable(target);
        Safetensors.Writer weights = Safetensors.writer()
                .metadata("producer", "recsys " + Provenance.currentRecsysVersion())
                .metadata("format", FORMAT);
        for (ParamLayout.Param p : ParamLayout.of(data.config())) {
            Weights.Tensor t = data.weights().get(p.name());
            weights.f32(p.name(), t.shape(), t.data());
        }
        if (data.content() != null) {
            weights.i32(CONTENT_TENSOR, new int[] {data.content().numItems() + 1, data.content().contentLen()},
                    data.content().tokens());
        }
        String modelJson = Json.pretty(modelJson(data)) + "\n";

        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + ".writing-" + AtomicFiles.nonce());
        Files.createDirectory(tmp);
        try {
            AtomicFiles.writeFile(tmp.resolve(WEIGHTS), weights::writeTo);
            if (state != null) {
                AtomicFiles.writeFile(tmp.resolve(OPTIMIZER), Safetensors.writer().weights(state.optimizer())::writeTo);
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
            swap(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
        LOG.info("wrote checkpoint {} ({} parameters, {} bytes of weights{}) in {} ms", target, data.weights().parameterCount(),
                weights.fileSize(), state == null ? "" : ", with training state",
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Fails unless target is absent, an empty folder or a checkpoint (never replace foreign data). */
    private static void checkReplaceable(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new CheckpointException("cannot write checkpoint " + target + ": it exists and is not a folder");
        }
        if (Files.isRegularFile(target.resolve(MODEL_JSON))) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
            if (ds.iterator().hasNext()) {
                throw new CheckpointException("refusing to replace " + target
                        + ": it is a non-empty folder without " + MODEL_JSON + ", so not a recsys checkpoint; choose another folder");
            }
        }
    }

    /** Moves tmp to target; an existing target is moved aside first and deleted after. */
    private static void swap(Path tmp, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target)) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDir(parent);
            return;
        }
        List<String> foreign = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.equals(MODEL_JSON) && !n.equals(WEIGHTS) && !n.equals(OPTIMIZER) && !n.equals(TRAINER)) {
                    foreign.add(n);
                }
            }
        }
        if (!foreign.isEmpty()) {
            LOG.warn("replacing checkpoint {} also deletes files it held that are not part of a checkpoint: {}", target, foreign);
        }
        Path old = parent.resolve("." + target.getFileName() + ".old-" + AtomicFiles.nonce());
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

    private static Map<String, Object> modelJson(CheckpointData data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("formatVersion", FORMAT_VERSION);
        m.put("config", ConfigJson.toMap(data.config()));
        if (data.vocabulary() != null) {
            m.put("vocabulary", data.vocabulary());
        }
        if (data.itemIds() != null) {
            m.put("itemIds", data.itemIds());
        }
        m.put("metadata", new LinkedHashMap<>(data.metadata()));
        m.put("provenance", data.provenance() == null ? null : data.provenance().toMap());
        return m;
    }

    /**
     * Writes the training state into an existing checkpoint folder: {@code optimizer.safetensors}
     * then {@code trainer.json}, each atomically. (The pair is not one atomic unit; to save model
     * and training state together atomically use {@link #write(Path, CheckpointData, TrainingState)}.)
     */
    public static void writeTrainingState(Path dir, Weights optimizerState, Map<String, Object> trainerState) throws IOException {
        TrainingState state = new TrainingState(optimizerState, trainerState);
        if (!Files.isRegularFile(dir.resolve(MODEL_JSON))) {
            throw new CheckpointException("cannot write training state into " + dir + ": not a recsys checkpoint ("
                    + MODEL_JSON + " is missing); write the checkpoint first");
        }
        Safetensors.writer().weights(state.optimizer()).write(dir.resolve(OPTIMIZER));
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
                throw new CheckpointException(wf + ": missing tensor " + CONTENT_TENSOR + " [" + (c.numItems() + 1) + ", "
                        + c.contentLen() + "] (the config has content, contentVocab=" + c.contentVocab() + ")");
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
        List<String> extra = tensors.names().stream().filter(n -> !known.contains(n)).toList();
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
            throw new CheckpointException(wf + ": the weights do not match the config in " + MODEL_JSON + ": " + e.getMessage(), e);
        }
        CheckpointData data;
        try {
            data = new CheckpointData(c, w, content, mj.vocabulary, mj.itemIds, mj.metadata, mj.provenance);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + ": inconsistent checkpoint: " + e.getMessage(), e);
        }
        LOG.debug("read checkpoint {} ({} parameters) in {} ms", dir, w.parameterCount(), (System.nanoTime() - t0) / 1_000_000);
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
        } catch (JsonException e) {
            throw new CheckpointException(tf + ": not valid trainer state JSON: " + e.getMessage(), e);
        }
        Weights opt = Safetensors.read(of).toWeights();
        return Optional.of(new TrainingState(opt, trainer));
    }

    private static CheckpointException missing(Path dir) {
        String hint = "";
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + abs.getFileName() + ".old-*")) {
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
                    throw new CheckpointException(dir + " is not a recsys checkpoint: a checkpoint is a folder, found a file");
                }
                throw missing(dir);
            }
            Path f = dir.resolve(MODEL_JSON);
            Map<String, Object> m;
            try {
                m = Json.readObject(f);
            } catch (NoSuchFileException e) {
                throw new CheckpointException(dir + " is not a recsys checkpoint: " + MODEL_JSON + " is missing", e);
            } catch (JsonException e) {
                throw new CheckpointException(f + ": not a recsys checkpoint: " + e.getMessage(), e);
            }
            Object format = m.get("format");
            if (!FORMAT.equals(format)) {
                throw new CheckpointException(f + ": not a recsys checkpoint: expected \"format\": \"" + FORMAT + "\", found "
                        + (m.containsKey("format") ? Json.typeName(format) : "no format key"));
            }
            Object version = m.get("formatVersion");
            if (!(version instanceof Long v) || v < 1) {
                throw new CheckpointException(f + ": expected \"formatVersion\" to be a positive integer, found "
                        + Json.typeName(version));
            }
            if (v > FORMAT_VERSION) {
                throw new CheckpointException(f + ": written by a newer recsys (formatVersion " + v + "; this version reads "
                        + "up to " + FORMAT_VERSION + "); upgrade recsys to read it");
            }
            try {
                JsonFields fields = JsonFields.of(m, MODEL_JSON, MODEL_JSON_KEYS);
                config = ConfigJson.modelFromMap(fields.getObject("config"), MODEL_JSON + " config");
                vocabulary = fields.optionalStrings("vocabulary");
                itemIds = fields.optionalStrings("itemIds");
                metadata = fields.optionalStringMap("metadata");
                Object p = fields.required("provenance", "an object or null");
                provenance = p == null ? null : Provenance.fromMap(p);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(f + ": " + e.getMessage(), e);
            }
        }
    }
}
