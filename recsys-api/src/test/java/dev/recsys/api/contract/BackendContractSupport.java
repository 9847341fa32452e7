package dev.recsys.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Weights;
import dev.recsys.api.reference.ReferenceModel;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every contract test class shares: the backend (created once per class through
 * {@link #backend()}, closed after the class), the cases, model creation through the checkpoint
 * format, and tolerant comparisons.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContractSupport {
    private Backend backend;

    /** Creates the backend under test; called once per test class. */
    protected abstract Backend backend();

    /** The backend of this test class (created on first use). */
    protected final synchronized Backend sharedBackend() {
        if (backend == null) {
            backend = backend();
            assertThat(backend).as("backend()").isNotNull();
        }
        return backend;
    }

    @AfterAll
    protected final synchronized void closeBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    /** The configurations to run (all of {@link ContractFixtures#cases()} unless a backend narrows them). */
    protected List<ContractFixtures.Case> cases() {
        return ContractFixtures.cases();
    }

    /** Absolute tolerance against the reference, scaled by {@code max(1, |reference|)}. */
    protected double tolerance() {
        return 1e-4;
    }

    /**
     * The eval-mode loss of the backend, used by the finite-difference checks: by default
     * {@code model.lossAndGradients(batch, loss, false).loss()}. A backend whose gradients are
     * expensive may return the very same number without computing them.
     */
    protected float evalLoss(RecModel model, TrainBatch batch, LossSpec loss) {
        return model.lossAndGradients(batch, loss, false).loss();
    }

    /**
     * A backend model of the case with the given weights, which reach the backend through a
     * checkpoint written and read back in a temporary folder (the weights exchange format).
     */
    protected RecModel create(ContractFixtures.Case c, Weights weights, long seed) {
        CheckpointData read = roundTrip(c.config(), weights, ContractFixtures.content(c.config()));
        return sharedBackend().create(read.config(), read.content(), read.weights(), seed);
    }

    /** {@link #create} with the standard weights of the case. */
    protected RecModel create(ContractFixtures.Case c, long seed) {
        return create(c, ContractFixtures.weights(c.config()), seed);
    }

    /** The reference model of the case with the given weights (not round-tripped). */
    protected static ReferenceModel reference(ContractFixtures.Case c, Weights weights) {
        return new ReferenceModel(c.config(), ContractFixtures.content(c.config()), weights);
    }

    /** Writes a checkpoint and reads it back; the weights must come back bit for bit. */
    protected static CheckpointData roundTrip(ModelConfig config, Weights weights, ItemContent content) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("recsys-contract-");
            Path ckpt = dir.resolve("model");
            Checkpoint.write(ckpt, CheckpointData.of(config, weights, content));
            CheckpointData read = Checkpoint.read(ckpt);
            assertThat(read.config()).as("config after a checkpoint round trip").isEqualTo(config);
            assertThat(read.weights().names())
                    .as("parameter names after a checkpoint round trip")
                    .isEqualTo(weights.names());
            assertThat(read.weights().maxAbsDiff(weights))
                    .as("weights after a checkpoint round trip")
                    .isZero();
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint round trip in " + dir + " failed", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is not a contract failure
        }
    }

    // ------------------------------------------------------------------ comparisons

    /** Every value equal to the reference within {@code tol * max(1, |expected|)}. */
    protected static void assertClose(String what, float[] actual, double[] expected, double tol) {
        assertThat(actual).as("%s: length", what).hasSize(expected.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = tol * Math.max(1, Math.abs(expected[i]));
            if (!(err <= allowed) && (worst < 0 || err - allowed > worstExcess || Double.isNaN(err))) {
                worst = i;
                worstExcess = err - allowed;
            }
        }
        if (worst >= 0) {
            throw new AssertionError(what + ": element " + worst + " is " + actual[worst] + ", expected "
                    + expected[worst] + " within " + tol + " * max(1, |expected|)");
        }
    }

    /** {@link #assertClose(String, float[], double[], double)} against float32 values. */
    protected static void assertClose(String what, float[] actual, float[] expected, double tol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(what, actual, e, tol);
    }

    /**
     * Compares {@code [B, ..., L, d]} tensors at valid positions only: {@code groups} blocks of
     * {@code [L, d]} per row (1 for {@code [B, L, d]}, C for {@code [B, C, L, d]}), with positions
     * of row b valid where {@code items[b, j] != 0}.
     */
    protected static void assertCloseAtValidPositions(
            String what,
            float[] actual,
            double[] expected,
            int[] items,
            int rows,
            int length,
            int groups,
            int dim,
            double tol) {
        assertThat(actual).as("%s: length", what).hasSize(rows * groups * length * dim);
        assertThat(expected).as("%s: reference length", what).hasSize(actual.length);
        for (int b = 0; b < rows; b++) {
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < length; j++) {
                    if (items[b * length + j] == 0) {
                        continue;
                    }
                    int o = ((b * groups + g) * length + j) * dim;
                    float[] a = java.util.Arrays.copyOfRange(actual, o, o + dim);
                    double[] e = java.util.Arrays.copyOfRange(expected, o, o + dim);
                    assertClose(
                            what + " [row " + b + (groups > 1 ? ", candidate " + g : "") + ", position " + j + "]",
                            a,
                            e,
                            tol);
                }
            }
        }
    }

    /** Widens float32 values. */
    protected static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Every value finite. */
    protected static void assertFinite(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new AssertionError(what + ": element " + i + " is " + values[i]);
            }
        }
    }
}
