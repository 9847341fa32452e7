package dev.recsys.examples.example;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.TrainResult;
import dev.recsys.api.train.Trainer;
import dev.recsys.api.train.TrainingData;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DelimitedReader;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a sequential recommender on your own interaction log, through the library API.
 *
 * <p>The log is a CSV file with a header naming the columns {@code user}, {@code item} and
 * {@code timestamp} (rows in any order; each user's items are ordered by time). The program
 * <ol>
 *   <li>reads it ({@link DelimitedReader}) and splits it leave-one-out (last item of each user for
 *       test, the one before for validation);</li>
 *   <li>builds an id-only SASRec-style model on a backend ({@link Backends}) from seeded initial
 *       weights, and trains it with BCE and one negative ({@link Trainer}), keeping the epoch with the
 *       best validation NDCG@10;</li>
 *   <li>evaluates it on test with full ranking ({@link Evaluator}), saves a checkpoint folder with
 *       the item ids ({@link Checkpoint}), and shows the top items for the first user.</li>
 * </ol>
 * Run: {@code java -cp recsys-examples/target/recsys.jar dev.recsys.examples.example.TrainOnCsvExample log.csv model/ [epochs]}.
 */
public final class TrainOnCsvExample {
    /** What a run produced. */
    public record Outcome(
            Path modelDir, Dataset data, EvalResult test, TrainResult training, List<Recommendation> firstUserTop) {}

    /**
     * Settings of the run.
     *
     * @param backend   backend name, or null for the default selection
     * @param dim       model width
     * @param maxLen    longest history the model reads
     * @param epochs    training epochs
     * @param batchSize users per step
     * @param seed      the one seed (initial weights, shuffling, negatives, dropout)
     */
    public record Settings(String backend, int dim, int maxLen, int epochs, int batchSize, long seed) {
        public static Settings defaults() {
            return new Settings(null, 32, 50, 20, 128, 42L);
        }
    }

    private TrainOnCsvExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: TrainOnCsvExample LOG.csv MODEL_DIR [EPOCHS]");
            System.exit(2);
        }
        Settings s = Settings.defaults();
        if (args.length == 3) {
            s = new Settings(s.backend(), s.dim(), s.maxLen(), Integer.parseInt(args[2]), s.batchSize(), s.seed());
        }
        Outcome o = run(Path.of(args[0]), Path.of(args[1]), s);
        System.out.println("trained " + o.training().epochs() + " epochs, best validation NDCG@10 "
                + o.training().bestMetric() + " at epoch " + o.training().bestEpoch());
        System.out.println("test: " + o.test().summary());
        System.out.println("saved " + o.modelDir().toAbsolutePath());
        for (Recommendation r : o.firstUserTop()) {
            System.out.println("  " + o.data().itemIds().external(r.item()) + "  " + r.score());
        }
    }

    /** Reads the log, trains, evaluates, saves; see the class comment. */
    public static Outcome run(Path csv, Path modelDir, Settings s) throws IOException {
        // 1. your data: a header line names the columns; ids may be any text
        Dataset data = DelimitedReader.builder()
                .delimiter(",")
                .header(true)
                .user("user")
                .item("item")
                .timestamp("timestamp")
                .name(csv.getFileName().toString())
                .build()
                .read(csv);
        Split split = LeaveOneOut.split(data);
        TrainingData training = TrainingData.of(data.numItems(), split.train());

        // 2. the model: id-only SASRec shape, initial weights from the seed (the same on every backend)
        ModelConfig config = ModelConfig.builder()
                .numItems(data.numItems())
                .dim(s.dim())
                .heads(1)
                .layers(2)
                .ffnDim(s.dim())
                .maxLen(s.maxLen())
                .dropout(0.2f)
                .build();
        TrainConfig train =
                TrainConfig.pretrainDefaults().withEpochs(s.epochs()).withSeed(s.seed());
        train = new TrainConfig(
                train.stage(),
                train.loss(),
                train.sampling(),
                train.epochs(),
                s.batchSize(),
                train.learningRate(),
                train.warmupSteps(),
                train.schedule(),
                train.minLrRatio(),
                train.optimizer(),
                1,
                3,
                0,
                s.seed());
        Evaluator evaluator =
                Evaluator.builder().protocol(Protocol.full()).ks(10).build();

        try (Backend backend = Backends.create(s.backend(), BackendOptions.defaults());
                RecModel model = backend.create(config, null, Initializer.init(config, s.seed()), s.seed())) {
            // 3. train, selecting the epoch on validation only
            TrainResult result = new Trainer(model, train, training)
                    .validator(m -> evaluator
                            .evaluate(split, Target.VALIDATION, ModelScorer.stageOne(m))
                            .metric("ndcg@10"))
                    .fit();

            // 4. test once, with full ranking over the catalogue (seen items masked)
            EvalResult test = evaluator.evaluate(split, Target.TEST, ModelScorer.stageOne(model));

            // 5. save: model.json + weights.safetensors, with the external item ids (index 0 = padding)
            List<String> itemIds = new ArrayList<>(data.numItems() + 1);
            itemIds.add("");
            for (int i = 1; i <= data.numItems(); i++) {
                itemIds.add(data.itemIds().external(i));
            }
            Provenance provenance = Provenance.capture(
                    Map.of("example", "TrainOnCsvExample", "epochs", String.valueOf(s.epochs())),
                    Provenance.fingerprint(csv),
                    s.seed(),
                    backend.name(),
                    backend.engineVersion());
            Checkpoint.write(
                    modelDir,
                    new CheckpointData(
                            config,
                            model.weights(),
                            null,
                            null,
                            itemIds,
                            Map.of("dataset", data.name(), "rerank", "0"),
                            provenance));

            // 6. use it: the top 5 unseen items after user 1's whole history
            List<Recommendation> top = new Recommender(model, 0).recommend(data.history(1), 5);
            return new Outcome(modelDir, data, test, result, top);
        }
    }
}
