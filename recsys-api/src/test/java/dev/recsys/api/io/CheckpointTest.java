package dev.recsys.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Pooling;
import dev.recsys.api.config.Positional;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    static final ModelConfig CONTENT = new ModelConfig(
            20, 8, 2, 1, 16, 10, 30, 5, 1, 2, Positional.LEARNED, Norm.PRE, Pooling.MEAN, 0.1f, 1e-8f, true, true);
    static final ModelConfig ID_ONLY = new ModelConfig(
            12, 4, 1, 2, 8, 6, 0, 0, 0, 0, Positional.SINUSOIDAL, Norm.POST, Pooling.MAX, 0f, 1e-5f, false, true);

    static Weights randomWeights(ModelConfig c, long seed) {
        Random r = new Random(seed);
        Weights w = new Weights();
        for (ParamLayout.Param p : ParamLayout.of(c)) {
            float[] d = new float[p.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
            }
            w.put(p.name(), p.shape(), d);
        }
        return w;
    }

    static ItemContent content(ModelConfig c, long seed) {
        Random r = new Random(seed);
        int[][] per = new int[c.numItems() + 1][];
        for (int i = 1; i <= c.numItems(); i++) {
            per[i] = r.ints(r.nextInt(c.contentLen() + 2), 2, c.contentVocab()).toArray();
        }
        return ItemContent.of(c.numItems(), c.contentLen(), per);
    }

    static CheckpointData fullData() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<item>"));
        for (int t = 2; t < CONTENT.contentVocab(); t++) {
            vocab.add("tok" + t + (t == 7 ? " \"quoted\" é" : ""));
        }
        List<String> ids = new ArrayList<>(List.of(""));
        for (int i = 1; i <= CONTENT.numItems(); i++) {
            ids.add(String.valueOf(1000 + i));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dataset", "ml-1m");
        meta.put("split", "leave-one-out");
        Provenance prov = new Provenance(
                Json.toMap(CONTENT),
                "f00d",
                42L,
                "reference",
                null,
                "dev",
                "17",
                "Linux (amd64)",
                null,
                Instant.parse("2025-01-02T03:04:05Z"));
        return new CheckpointData(CONTENT, randomWeights(CONTENT, 1), content(CONTENT, 2), vocab, ids, meta, prov);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertBitIdentical(Weights a, Weights b) {
        assertThat(b.names()).containsExactlyElementsOf(a.names());
        for (String n : a.names()) {
            assertThat(b.get(n).shape()).as(n).isEqualTo(a.get(n).shape());
            float[] x = a.data(n);
            float[] y = b.data(n);
            assertThat(y.length).isEqualTo(x.length);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(n + "[" + i + "]: " + x[i] + " != " + y[i]);
                }
            }
        }
    }

    @Test
    void writeThenReadGivesIdenticalCheckpointBitForBit() throws Exception {
        CheckpointData data = fullData();
        Path dir = tmp.resolve("ckpt");
        Checkpoint.write(dir, data);
        assertThat(listing(dir)).containsExactly("model.json", "weights.safetensors");
        assertThat(listing(tmp)).containsExactly("ckpt");

        CheckpointData back = Checkpoint.read(dir);
        assertThat(back.config()).isEqualTo(CONTENT);
        assertBitIdentical(data.weights(), back.weights());
        assertThat(back.content().tokens()).isEqualTo(data.content().tokens());
        assertThat(back.vocabulary()).isEqualTo(data.vocabulary());
        assertThat(back.itemIds()).isEqualTo(data.itemIds());
        assertThat(back.metadata()).isEqualTo(data.metadata());
        assertThat(back.provenance()).isEqualTo(data.provenance());
        assertThat(Checkpoint.readConfig(dir)).isEqualTo(CONTENT);
        assertThat(Checkpoint.isCheckpoint(dir)).isTrue();
    }

    @Test
    void idOnlyModelWithoutOptionalPartsRoundTripsInCanonicalOrder() throws Exception {
        Weights w = randomWeights(ID_ONLY, 9);
        // hand the writer the tensors in reverse order: the file and the read-back use the canonical order
        Weights reversed = new Weights();
        List<String> names = new ArrayList<>(w.names());
        java.util.Collections.reverse(names);
        for (String n : names) {
            reversed.put(n, w.get(n).shape(), w.data(n));
        }
        Path dir = tmp.resolve("ids");
        Checkpoint.write(dir, CheckpointData.of(ID_ONLY, reversed, null));
        CheckpointData back = Checkpoint.read(dir);
        assertBitIdentical(w, back.weights());
        assertThat(back.content()).isNull();
        assertThat(back.vocabulary()).isNull();
        assertThat(back.itemIds()).isNull();
        assertThat(back.provenance()).isNull();
        assertThat(back.metadata()).isEmpty();
    }

    @Test
    void weightsWrittenByAnotherToolInAnotherOrderAreReadInCanonicalOrder() throws Exception {
        CheckpointData data = fullData();
        Path dir = tmp.resolve("other");
        Checkpoint.write(dir, data);
        // rewrite weights.safetensors as a name-sorting writer (like the Python one) would
        Safetensors.Writer w = Safetensors.writer().metadata("format", "pt");
        List<String> names = new ArrayList<>(data.weights().names());
        names.add(Checkpoint.CONTENT_TENSOR);
        names.sort(null);
        for (String n : names) {
            if (n.equals(Checkpoint.CONTENT_TENSOR)) {
                w.i32(n, new int[] {21, 5}, data.content().tokens());
            } else {
                w.f32(n, data.weights().get(n).shape(), data.weights().data(n));
            }
        }
        w.write(dir.resolve("weights.safetensors"));
        assertThat(Safetensors.readHeader(dir.resolve("weights.safetensors"))
                        .tensors()
                        .keySet()
                        .iterator()
                        .next())
                .isEqualTo("content_encoder.final_norm.bias");
        CheckpointData back = Checkpoint.read(dir);
        assertBitIdentical(data.weights(), back.weights());
        assertThat(back.content().tokens()).isEqualTo(data.content().tokens());
    }

    @Test
    @SuppressWarnings("unchecked")
    void filesFollowTheDocumentedLayout() throws Exception {
        Path dir = tmp.resolve("layout");
        Checkpoint.write(dir, fullData());
        Map<String, Object> mj = Json.readObject(dir.resolve("model.json"));
        assertThat(new ArrayList<Object>(mj.keySet()))
                .containsExactly(
                        "format", "formatVersion", "config", "vocabulary", "itemIds", "metadata", "provenance");
        assertThat(mj.get("format")).isEqualTo("recsys-checkpoint");
        assertThat(mj.get("formatVersion")).isEqualTo(1L);
        assertThat(((Map<?, ?>) mj.get("config")).get("contentVocab")).isEqualTo(30L);
        assertThat((List<Object>) mj.get("vocabulary")).hasSize(30).startsWith("<pad>", "<item>");

        Safetensors.Header h = Safetensors.readHeader(dir.resolve("weights.safetensors"));
        List<String> expected = new ArrayList<>(
                ParamLayout.of(CONTENT).stream().map(ParamLayout.Param::name).toList());
        expected.add(Checkpoint.CONTENT_TENSOR);
        assertThat(new ArrayList<>(h.tensors().keySet())).containsExactlyElementsOf(expected);
        Safetensors.TensorInfo ct = h.tensors().get(Checkpoint.CONTENT_TENSOR);
        assertThat(ct.dtype()).isEqualTo(Safetensors.Dtype.I32);
        assertThat(ct.shape()).containsExactly(21, 5);
        Safetensors.TensorInfo q = h.tensors().get("user_encoder.layers.0.attention.query.weight");
        assertThat(q.dtype()).isEqualTo(Safetensors.Dtype.F32);
        assertThat(q.shape()).containsExactly(8, 8);
        assertThat(h.metadata()).containsEntry("format", "recsys-checkpoint");
        assertThat(h.dataStart() % 8).isZero();
    }

    @Test
    void aCheckpointTruncatedByOneByteFailsAsTruncated() throws Exception {
        Path dir = tmp.resolve("cut");
        Checkpoint.write(dir, fullData());
        Path wf = dir.resolve("weights.safetensors");
        byte[] all = Files.readAllBytes(wf);
        Files.write(wf, Arrays.copyOf(all, all.length - 1));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("weights.safetensors")
                .hasMessageContaining("truncated");
    }

    @Test
    void foreignWeightFilesAreRefused() throws Exception {
        Path dir = tmp.resolve("foreign");
        Checkpoint.write(dir, fullData());
        Path wf = dir.resolve("weights.safetensors");
        byte[] rnd = new byte[10_000];
        new Random(1).nextBytes(rnd);
        rnd[7] = (byte) 0xF0;
        Files.write(wf, rnd);
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("not a safetensors file");
        Files.copy(dir.resolve("model.json"), wf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("not a safetensors file");
    }

    @Test
    void modelJsonProblemsFailClearly() throws Exception {
        Path dir = tmp.resolve("mj");
        Checkpoint.write(dir, fullData());
        Path mj = dir.resolve("model.json");
        String good = Files.readString(mj);

        Files.writeString(mj, good.replace("\"recsys-checkpoint\"", "\"keras\""));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a recsys checkpoint")
                .hasMessageContaining("\"keras\"");

        Files.writeString(mj, good.replace("\"formatVersion\": 1", "\"formatVersion\": 2"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining(
                        "written by a newer recsys (formatVersion 2; this version reads up to 1); upgrade");

        Files.writeString(mj, good.replace("\"numItems\": 20,", "\"numItems\": 20, \"hiddenSize\": 3,"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("model.json config: unknown key \"hiddenSize\"; known keys: [");

        Files.writeString(mj, good.replace("\"heads\": 2,", "\"heads\": \"two\","));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessage(mj + ": model.json config: heads: expected an integer, found the string \"two\"");

        Files.writeString(mj, good.replace("\"backend\": \"reference\",", ""));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessage(mj + ": model.json provenance: missing key \"backend\"");

        Files.writeString(mj, good.replace("\"heads\": 2,", "\"heads\": 3,"));
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("dim must be divisible by heads");

        Files.writeString(mj, good.replace("\"dim\": 8,", "\"dim\": 16,"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("weights do not match the config")
                .hasMessageContaining("item_embedding.weight");

        Files.writeString(mj, good.replace("\"contentLen\": 5,", "\"contentLen\": 6,"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("item_content.tokens has shape [21, 5], expected");

        Files.writeString(mj, good.replace("\"eventTypes\": 2,", "\"eventTypes\": 0,"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("unexpected parameters for this config: [event_embedding.weight]");

        Files.writeString(mj, good.replace("\"itemIds\": true", "\"itemIds\": false"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("unexpected parameters for this config: [item_embedding.weight]");

        Files.writeString(mj, good.substring(0, good.length() / 2));
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("model.json");

        Files.writeString(mj, "{\"weights\": [1, 2]}");
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("not a recsys checkpoint")
                .hasMessageContaining("no format key");

        Files.delete(mj);
        assertThatThrownBy(() -> Checkpoint.read(dir)).hasMessageContaining("model.json is missing");
        assertThatThrownBy(() -> Checkpoint.read(tmp.resolve("nowhere"))).hasMessageContaining("does not exist");
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertThatThrownBy(() -> Checkpoint.read(file)).hasMessageContaining("a checkpoint is a folder");
    }

    @Test
    void aFailedWriteLeavesTheOldCheckpointIntactAndNoTempFiles() throws Exception {
        Path dir = tmp.resolve("safe");
        CheckpointData first = fullData();
        Checkpoint.write(dir, first);
        byte[] weightsBefore = Files.readAllBytes(dir.resolve("weights.safetensors"));

        // a mismatch between weights and config is detected before anything replaces the folder
        Weights wrong = randomWeights(CONTENT, 5);
        wrong.put("user_encoder.final_norm.weight", new int[] {9}, new float[9]);
        CheckpointData bad = new CheckpointData(CONTENT, wrong, first.content(), null, null, Map.of(), null);
        assertThatThrownBy(() -> Checkpoint.write(dir, bad))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("weights do not match the config")
                .hasMessageContaining("user_encoder.final_norm.weight");
        assertThat(listing(tmp)).containsExactly("safe");
        assertThat(Files.readAllBytes(dir.resolve("weights.safetensors"))).isEqualTo(weightsBefore);

        // a failure after the new folder is complete, just before it replaces the old one
        CheckpointData second =
                new CheckpointData(CONTENT, randomWeights(CONTENT, 6), first.content(), null, null, Map.of(), null);
        List<Path> seen = new ArrayList<>();
        assertThatThrownBy(() -> Checkpoint.write(dir, second, null, t -> {
                    seen.add(t);
                    assertThat(listing(t)).containsExactly("model.json", "weights.safetensors");
                    throw new IOException("disk full (simulated)");
                }))
                .hasMessageContaining("disk full");
        assertThat(seen).hasSize(1);
        assertThat(Files.exists(seen.get(0))).isFalse();
        assertThat(listing(tmp)).containsExactly("safe");
        assertBitIdentical(first.weights(), Checkpoint.read(dir).weights());
    }

    @Test
    void replacingACheckpointSwapsItWhole() throws Exception {
        Path dir = tmp.resolve("swap");
        CheckpointData first = fullData();
        Checkpoint.write(dir, first, new TrainingState(first.weights().zerosLike(), Map.of("step", 1)));
        assertThat(listing(dir))
                .containsExactly("model.json", "optimizer.safetensors", "trainer.json", "weights.safetensors");

        CheckpointData second = new CheckpointData(
                CONTENT, randomWeights(CONTENT, 77), first.content(), null, null, Map.of("v", "2"), null);
        Checkpoint.write(dir, second);
        assertThat(listing(dir)).containsExactly("model.json", "weights.safetensors");
        assertThat(listing(tmp)).containsExactly("swap");
        CheckpointData back = Checkpoint.read(dir);
        assertBitIdentical(second.weights(), back.weights());
        assertThat(back.metadata()).isEqualTo(Map.of("v", "2"));
        assertThat(Checkpoint.readTrainingState(dir)).isEmpty();
    }

    @Test
    void otherFilesAreNeverDeletedAndTheCheckpointIsWrittenBesideThem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not a checkpoint");
        assertThat(Checkpoint.inspect(dir).kind()).isEqualTo(Checkpoint.Target.Kind.OTHER_FILES);
        assertThat(Checkpoint.inspect(dir).others()).containsExactly("holiday.jpg");
        CheckpointData first = fullData();
        Checkpoint.write(dir, first, new TrainingState(first.weights().zerosLike(), Map.of("step", 1)));
        assertThat(listing(dir))
                .containsExactly(
                        "holiday.jpg", "model.json", "optimizer.safetensors", "trainer.json", "weights.safetensors");
        assertThat(Files.readString(dir.resolve("holiday.jpg"))).isEqualTo("not a checkpoint");
        assertThat(Checkpoint.inspect(dir).kind()).isEqualTo(Checkpoint.Target.Kind.CHECKPOINT_WITH_OTHER_FILES);

        // writing again (model only) replaces our files, drops our stale training state, keeps the rest
        Path sub = Files.createDirectories(dir.resolve("thesis"));
        Files.writeString(sub.resolve("chapter1.tex"), "text");
        CheckpointData second = new CheckpointData(
                CONTENT, randomWeights(CONTENT, 78), first.content(), null, null, Map.of("v", "2"), null);
        Checkpoint.write(dir, second);
        assertThat(listing(dir)).containsExactly("holiday.jpg", "model.json", "thesis", "weights.safetensors");
        assertThat(Files.readString(sub.resolve("chapter1.tex"))).isEqualTo("text");
        assertBitIdentical(second.weights(), Checkpoint.read(dir).weights());
        assertThat(listing(tmp)).containsExactly("photos");

        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> Checkpoint.write(file, fullData())).hasMessageContaining("not a folder");
        // an empty folder is fine
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(Checkpoint.inspect(empty).kind()).isEqualTo(Checkpoint.Target.Kind.EMPTY);
        Checkpoint.write(empty, fullData());
        assertThat(Checkpoint.isCheckpoint(empty)).isTrue();
        assertThat(Checkpoint.inspect(empty).kind()).isEqualTo(Checkpoint.Target.Kind.CHECKPOINT);
    }

    @Test
    void aModelJsonThatIsNotOursIsNeverReplaced() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("other-tool"));
        Files.writeString(dir.resolve("model.json"), "{\"architecture\": \"bert\"}");
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> Checkpoint.write(dir, fullData()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.json is not a readable recsys checkpoint")
                .hasMessageContaining("never replaced");
        assertThat(Files.readString(dir.resolve("model.json"))).isEqualTo("{\"architecture\": \"bert\"}");
        assertThat(listing(dir)).containsExactly("model.json", "notes.txt");
        // checkpoint file names without our model.json may be someone else's
        Path weightsOnly = Files.createDirectories(tmp.resolve("weights-only"));
        Files.writeString(weightsOnly.resolve("weights.safetensors"), "x");
        assertThatThrownBy(() -> Checkpoint.write(weightsOnly, fullData())).hasMessageContaining("but no model.json");
        assertThat(Files.readString(weightsOnly.resolve("weights.safetensors"))).isEqualTo("x");
    }

    @Test
    void leftoversOfAKilledSwapAreRemovedByTheNextWrite() throws Exception {
        Path dir = tmp.resolve("model");
        Checkpoint.write(dir, fullData());
        // what kill -9 between the two renames, or during the temp write, leaves behind
        Path old = tmp.resolve(".model.old-1234");
        Path writing = tmp.resolve(".model.writing-99");
        copyFolder(dir, old);
        Files.createDirectories(writing);
        Files.writeString(writing.resolve("weights.safetensors"), "partial");
        Path notOurs = Files.createDirectories(tmp.resolve(".model.old-77"));
        Files.writeString(notOurs.resolve("diary.txt"), "someone else's");
        Checkpoint.write(dir, fullData());
        assertThat(Files.exists(old)).isFalse();
        assertThat(Files.exists(writing)).isFalse();
        assertThat(Files.readString(notOurs.resolve("diary.txt"))).isEqualTo("someone else's");
        assertThat(listing(tmp)).containsExactly(".model.old-77", "model");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void trainingStateRoundTrips() throws Exception {
        CheckpointData data = fullData();
        Weights opt = new Weights();
        Random r = new Random(4);
        for (String n : data.weights().names()) {
            float[] m = new float[data.weights().get(n).size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = r.nextFloat();
            }
            opt.put("m." + n, data.weights().get(n).shape(), m);
        }
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("step", 1234);
        trainer.put("epoch", 3);
        trainer.put("bestMetric", 0.1734f);
        trainer.put("rngState", -8_000_000_000_000L);
        trainer.put("bestEpoch", null);
        trainer.put("history", List.of(0.1, 0.15));

        Path dir = tmp.resolve("resume");
        Checkpoint.write(dir, data, new TrainingState(opt, trainer));
        TrainingState back = Checkpoint.readTrainingState(dir).orElseThrow();
        assertBitIdentical(opt, back.optimizer());
        assertThat(back.trainer()).isEqualTo(new TrainingState(opt, trainer).trainer());
        assertThat(back.trainer().get("step")).isEqualTo(1234L);
        assertThat(((Double) back.trainer().get("bestMetric")).floatValue()).isEqualTo(0.1734f);

        // written separately into an existing checkpoint
        Path dir2 = tmp.resolve("resume2");
        Checkpoint.write(dir2, data);
        assertThat(Checkpoint.readTrainingState(dir2)).isEqualTo(Optional.empty());
        Checkpoint.writeTrainingState(dir2, opt, Map.of("step", 5));
        assertThat(Checkpoint.readTrainingState(dir2).orElseThrow().trainer()).isEqualTo(Map.of("step", 5L));
        assertThat(listing(dir2))
                .containsExactly("model.json", "optimizer.safetensors", "trainer.json", "weights.safetensors");

        Files.delete(dir2.resolve("trainer.json"));
        assertThatThrownBy(() -> Checkpoint.readTrainingState(dir2)).hasMessageContaining("incomplete training state");
        assertThatThrownBy(() -> Checkpoint.writeTrainingState(tmp.resolve("none"), opt, Map.of()))
                .hasMessageContaining("not a recsys checkpoint");
    }

    @Test
    void inconsistentPartsAreRefusedAtConstruction() {
        Weights w = randomWeights(CONTENT, 1);
        ItemContent c = content(CONTENT, 2);
        assertThatThrownBy(() -> new CheckpointData(CONTENT, w, null, null, null, null, null))
                .hasMessageContaining("no item content table");
        assertThatThrownBy(() -> new CheckpointData(CONTENT, w, c, List.of("a"), null, null, null))
                .hasMessageContaining("vocabulary has 1 tokens, expected contentVocab=30");
        assertThatThrownBy(() -> new CheckpointData(CONTENT, w, c, null, List.of("0", "1"), null, null))
                .hasMessageContaining("expected numItems+1=21");
        List<String> dup = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            dup.add(i == 20 ? "5" : String.valueOf(i));
        }
        assertThatThrownBy(() -> new CheckpointData(CONTENT, w, c, null, dup, null, null))
                .hasMessageContaining("external id \"5\" twice (second at dense id 20)");
        int[] tokens = c.tokens().clone();
        tokens[6] = 30;
        assertThatThrownBy(() -> new CheckpointData(CONTENT, w, new ItemContent(20, 5, tokens), null, null, null, null))
                .hasMessageContaining("token 30, expected ids below contentVocab=30");
    }

    @Test
    void aReadAfterAnInterruptedSwapPointsToTheOldCopy() throws Exception {
        Path dir = tmp.resolve("model");
        Checkpoint.write(dir, fullData());
        Files.move(dir, tmp.resolve(".model.old-1234"));
        assertThatThrownBy(() -> Checkpoint.read(dir))
                .hasMessageContaining("does not exist")
                .hasMessageContaining(".model.old-1234")
                .hasMessageContaining("rename it back");
    }

    @Test
    void modelJsonIsReadableText() throws Exception {
        Path dir = tmp.resolve("text");
        Checkpoint.write(dir, fullData());
        String s = Files.readString(dir.resolve("model.json"), StandardCharsets.UTF_8);
        assertThat(s)
                .startsWith(
                        "{\n  \"format\": \"recsys-checkpoint\",\n  \"formatVersion\": 1,\n  \"config\": {\n    \"numItems\": 20,")
                .contains("\"tok7 \\\"quoted\\\" é\"")
                .endsWith("}\n");
    }
}
