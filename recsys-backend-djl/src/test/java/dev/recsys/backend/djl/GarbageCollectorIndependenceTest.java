package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for gradients that depended on the garbage collector: DJL wraps a Java number
 * given to an NDArray operation ({@code x.mul(0.5f)}) in a tensor over a Java direct buffer and
 * closes it when the operation returns, while autograd keeps it for the backward pass; a GC
 * between forward and backward freed that memory, so fine-tuning was not repeatable and
 * pre-training of content models failed now and then with NaN gradients (see {@link Ctx#scalar}).
 *
 * <p>The behavioural tests run a thread that requests collections back to back, so that freed
 * memory is read within a few steps if any operation still holds Java-owned memory.
 */
class GarbageCollectorIndependenceTest {
    private static final int N = 60;

    /** Content model with the settings of the quickstart that failed (smaller dim, length and batch). */
    private static ModelConfig contentModel() {
        return ModelConfig.builder()
                .numItems(N)
                .dim(16)
                .heads(2)
                .layers(2)
                .ffnDim(32)
                .maxLen(12)
                .content(50, 8, 1)
                .dropout(0.1f)
                .layerNormEps(1e-8f)
                .build();
    }

    @Test
    void noNdArrayOperationInTheBackendIsGivenAJavaNumber() throws IOException, URISyntaxException {
        List<String> offenders = new ArrayList<>();
        for (ClassFile f : backendClasses()) {
            for (String call : numberCalls(f.bytes())) {
                offenders.add(f.name() + ": " + call);
            }
        }
        assertThat(backendClasses()).extracting(ClassFile::name).contains("dev/recsys/backend/djl/Mha.class");
        assertThat(offenders)
                .as("NDArray calls with a java.lang.Number argument (use Ctx.scalar)")
                .isEmpty();
    }

    @Test
    void repeatedStepsGiveBitIdenticalLossesAndGradientsWhileTheGarbageCollectorRuns() throws Exception {
        ModelConfig c = contentModel();
        ItemContent content = content(c, 7);
        SplittableRandom r = new SplittableRandom(11);
        SeqBatch in = histories(r, 16, c.maxLen());
        LossSpec sampled = new LossSpec.SampledSoftmax(32, true); // the quickstart's pre-training loss
        LossSpec bpr = new LossSpec.Bpr(8);
        TrainBatch pre = nextItem(r, in, sampled.negatives());
        TrainBatch fine = new TrainBatch.Candidates(in, ids(r, in.size() * 9), 9, null);
        try (RecModel m = Fixtures.backend().create(c, content, Initializer.init(c, 3), 1)) {
            StepResult preRef = copy(m.lossAndGradients(pre, sampled, false));
            StepResult fineRef = copy(m.lossAndGradients(fine, bpr, false));
            try (GcHammer gc = new GcHammer()) {
                for (int i = 0; i < 12; i++) {
                    assertBitIdentical(m.lossAndGradients(pre, sampled, false), preRef, "pre-training call " + i);
                    assertBitIdentical(m.lossAndGradients(fine, bpr, false), fineRef, "fine-tuning call " + i);
                }
                assertThat(gc.collections()).isPositive();
            }
        }
    }

    @Test
    void twoFineTuningRunsFromTheSameWeightsAgreeToTheLastBitWhileTheGarbageCollectorRuns() throws Exception {
        ModelConfig c = contentModel();
        ItemContent content = content(c, 8);
        Weights w1 = Initializer.init(c, 5);
        Weights w2 = Initializer.init(c, 5);
        LossSpec bpr = new LossSpec.Bpr(8);
        SplittableRandom r = new SplittableRandom(12);
        List<TrainBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SeqBatch in = histories(r, 16, c.maxLen());
            batches.add(new TrainBatch.Candidates(in, ids(r, in.size() * 9), 9, null));
        }
        try (RecModel a = Fixtures.backend().create(c, content, w1, 9);
                RecModel b = Fixtures.backend().create(c, content, w2, 9);
                GcHammer gc = new GcHammer()) {
            Adam adamA = new Adam(OptimizerConfig.adam(), w1);
            Adam adamB = new Adam(OptimizerConfig.adam(), w2);
            for (int step = 0; step < 12; step++) {
                TrainBatch batch = batches.get(step % batches.size());
                StepResult ra = a.lossAndGradients(batch, bpr, true);
                float lossA = ra.loss();
                adamA.update(w1, ra.gradients(), 2e-3f); // throws, naming the tensor, on a NaN or infinite gradient
                a.setWeights(w1);
                StepResult rb = b.lossAndGradients(batch, bpr, true);
                adamB.update(w2, rb.gradients(), 2e-3f);
                b.setWeights(w2);
                assertThat(Float.isFinite(lossA)).as("loss of step %d", step).isTrue();
                assertThat(Float.floatToIntBits(rb.loss()))
                        .as("loss of step %d: %s vs %s", step, lossA, rb.loss())
                        .isEqualTo(Float.floatToIntBits(lossA));
            }
            for (String n : w1.names()) {
                assertThat(java.util.Arrays.mismatch(w1.data(n), w2.data(n)))
                        .as("first differing element of %s", n)
                        .isEqualTo(-1);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A daemon thread that requests a garbage collection every few milliseconds until closed. */
    private static final class GcHammer implements AutoCloseable {
        private volatile boolean running = true;
        private volatile long count;
        private final Thread thread;

        GcHammer() {
            thread = new Thread(
                    () -> {
                        while (running) {
                            System.gc();
                            count++;
                            try {
                                Thread.sleep(3); // leave the training thread most of the time
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "gc-hammer");
            thread.setDaemon(true);
            thread.start();
        }

        long collections() {
            return count;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    private static void assertBitIdentical(StepResult got, StepResult expected, String what) {
        assertThat(Float.floatToIntBits(got.loss()))
                .as("%s: loss %s vs %s", what, got.loss(), expected.loss())
                .isEqualTo(Float.floatToIntBits(expected.loss()));
        for (String n : expected.gradients().names()) {
            float[] g = got.gradients().data(n);
            float[] e = expected.gradients().data(n);
            int at = java.util.Arrays.mismatch(g, e); // Float.compare: -0 differs from 0
            assertThat(at)
                    .as(
                            "%s: first differing element of the gradient of %s (%s vs %s)",
                            what, n, at < 0 ? "" : g[at], at < 0 ? "" : e[at])
                    .isEqualTo(-1);
        }
    }

    /** StepResult gradients are reused buffers: a deep copy to compare later calls against. */
    private static StepResult copy(StepResult s) {
        Weights g = new Weights();
        for (String n : s.gradients().names()) {
            g.put(n, s.gradients().get(n).shape(), s.gradients().data(n).clone());
        }
        return new StepResult(s.loss(), g);
    }

    /** Items whose token count (0..contentLen-2 besides the marker) and tokens are random. */
    private static ItemContent content(ModelConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] per = new int[c.numItems() + 1][];
        for (int i = 1; i <= c.numItems(); i++) {
            per[i] = new int[r.nextInt(c.contentLen())];
            for (int k = 0; k < per[i].length; k++) {
                per[i][k] = 2 + r.nextInt(c.contentVocab() - 2);
            }
        }
        return ItemContent.of(c.numItems(), c.contentLen(), per);
    }

    /** Left-padded histories of random lengths 1..len; item ids skewed to the low end (a learnable popularity). */
    private static SeqBatch histories(SplittableRandom r, int rows, int len) {
        int[] items = new int[rows * len];
        for (int b = 0; b < rows; b++) {
            int n = 1 + r.nextInt(len);
            for (int j = len - n; j < len; j++) {
                items[b * len + j] = skewed(r);
            }
        }
        return new SeqBatch(rows, len, items, null);
    }

    private static int skewed(SplittableRandom r) {
        return 1 + (int) (N * Math.pow(r.nextDouble(), 2));
    }

    private static int[] ids(SplittableRandom r, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + r.nextInt(N);
        }
        return out;
    }

    /** Next-item targets (the next history item, the last one a fresh draw), target first then uniform negatives with log Q. */
    private static TrainBatch.NextItem nextItem(SplittableRandom r, SeqBatch in, int negatives) {
        int len = in.length();
        int per = 1 + negatives;
        int[] targets = new int[in.size() * len];
        int[] cand = new int[targets.length * per];
        float[] logQ = new float[cand.length];
        for (int b = 0; b < in.size(); b++) {
            for (int j = 0; j < len; j++) {
                int f = b * len + j;
                if (in.items()[f] == 0) {
                    continue;
                }
                targets[f] = j + 1 < len ? in.items()[f + 1] : skewed(r);
                cand[f * per] = targets[f];
                for (int k = 1; k < per; k++) {
                    cand[f * per + k] = 1 + r.nextInt(N);
                }
            }
        }
        java.util.Arrays.fill(logQ, (float) -Math.log(N));
        return new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, per, logQ));
    }

    private record ClassFile(String name, byte[] bytes) {}

    /** The compiled classes of package dev.recsys.backend.djl (and sub-packages), from a folder or a jar. */
    private static List<ClassFile> backendClasses() throws IOException, URISyntaxException {
        Path root = Path.of(DjlModel.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String pkg = "dev/recsys/backend/djl/";
        List<ClassFile> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root.resolve(pkg))) {
                for (Path p :
                        s.filter(x -> x.toString().endsWith(".class")).sorted().toList()) {
                    out.add(new ClassFile(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p)));
                }
            }
        } else {
            try (ZipFile z = new ZipFile(root.toFile())) {
                for (ZipEntry e : z.stream()
                        .filter(e -> e.getName().startsWith(pkg) && e.getName().endsWith(".class"))
                        .toList()) {
                    try (InputStream is = z.getInputStream(e)) {
                        out.add(new ClassFile(e.getName(), is.readAllBytes()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Method references of a class file (constant pool, JVMS 4.4) to DJL NDArray/NDManager types
     * whose parameters include {@code java.lang.Number}, as {@code owner.name descriptor}.
     */
    private static List<String> numberCalls(byte[] classBytes) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classBytes));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        int[] tag = new int[count];
        String[] utf = new String[count];
        int[] a = new int[count];
        int[] b = new int[count];
        for (int i = 1; i < count; i++) {
            tag[i] = in.readUnsignedByte();
            switch (tag[i]) {
                case 1 -> utf[i] = in.readUTF();
                case 7, 8, 16, 19, 20 -> a[i] = in.readUnsignedShort();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 9, 10, 11, 12, 17, 18 -> {
                    a[i] = in.readUnsignedShort();
                    b[i] = in.readUnsignedShort();
                }
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag[i] + " at " + i);
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tag[i] == 10 || tag[i] == 11) {
                String owner = utf[a[a[i]]];
                String name = utf[a[b[i]]];
                String desc = utf[b[b[i]]];
                String params = desc.substring(0, desc.indexOf(')') + 1);
                if (owner.startsWith("ai/djl/") && params.contains("Ljava/lang/Number;")) {
                    out.add(owner + "." + name + " " + desc);
                }
            }
        }
        return out;
    }
}
