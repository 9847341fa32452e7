package dev.recsys.examples.cli;

import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.baseline.ItemKnn;
import dev.recsys.eval.baseline.Markov;
import dev.recsys.eval.baseline.MostPopular;
import dev.recsys.eval.baseline.RandomScorer;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.Target;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recsys quickstart}: on the embedded synthetic data, pre-train, fine-tune, evaluate against
 * the baselines on the test items (full ranking), print the table and a few recommendations with
 * titles. No network, a few minutes on two cores.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {
            "Train and evaluate on the embedded synthetic data against the baselines; print a table and",
            "a few recommendations. No download, no network."
        })
final class QuickstartCommand implements Callable<Integer> {
    /** Settings sized to finish in a few minutes on 2 cores. */
    static final List<String> QUICK = List.of(
            "model.dim=32",
            "model.heads=2",
            "model.layers=2",
            "model.ffnDim=64",
            "model.maxLen=50",
            "model.dropout=0.1",
            "model.contentLayers=1",
            "content.length=8",
            "pretrain.loss=sampled-softmax",
            "pretrain.negatives=32",
            "pretrain.epochs=30",
            "pretrain.batchSize=64",
            "pretrain.learningRate=0.002",
            "pretrain.evalEvery=5",
            "pretrain.patience=2",
            "finetune.loss=bpr",
            "finetune.negatives=8",
            "finetune.epochs=3",
            "finetune.batchSize=64",
            "finetune.learningRate=0.0005",
            "finetune.evalEvery=1",
            "finetune.patience=1",
            "eval.rerank=50",
            "eval.validationUsers=500");

    @Mixin
    EngineOptions engine;

    @Option(
            names = "--data",
            defaultValue = "synthetic",
            paramLabel = "SPEC",
            description = "The data (default: ${DEFAULT-VALUE}; e.g. synthetic:users=2000,items=500,seed=7).")
    String data;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (docs/CONFIG.md).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Also save the trained model here.")
    Path outDir;

    @Option(
            names = "--force",
            description = "Save into --out even though that folder holds other files (they are kept).")
    boolean force;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> sets = new ArrayList<>(QUICK);
        sets.add("seed=" + seed);
        sets.addAll(overrides);
        ExperimentConfig c = ConfigLoader.load(null, sets);
        if (outDir != null) {
            Outputs.checkpointFolder(outDir, "--out", force);
        }
        long t0 = System.nanoTime();
        Dataset d = DataSource.load(data, null, null);
        out.println("data: " + d.name() + ": " + DatasetStats.of(d).summary());
        Prepared p = Workflow.prepare(d, c);
        int[] ks = c.eval().ks();
        Evaluator ev = Workflow.evaluator(c, Protocol.full());
        List<String> names = new ArrayList<>();
        List<EvalResult> results = new ArrayList<>();
        try (Backend backend = Backends.create(engine.backend(), engine.options());
                RecModel model = Workflow.newModel(backend, c, p)) {
            out.println("backend: " + backend.name() + " (" + backend.engineVersion() + ")");
            out.printf(
                    Locale.ROOT,
                    "model: d=%d, %d layers, %d heads, content %s, %,d parameters%n",
                    model.config().dim(),
                    model.config().layers(),
                    model.config().heads(),
                    model.config().hasContent()
                            ? model.config().contentLen() + " tokens/item, vocabulary "
                                    + model.config().contentVocab()
                            : "off",
                    model.weights().parameterCount());
            TrainingPipeline pipeline = Workflow.pipeline(c, backend)
                    .listener(new Progress(out, Progress.isTerminal(), "train"))
                    .build();
            pipeline.train(model, p);
            if (outDir != null) {
                pipeline.save(outDir, model, p);
                out.println("saved " + outDir.toAbsolutePath());
            }
            names.add("transformer, two-stage (re-rank " + c.eval().rerank() + ")");
            results.add(pipeline.evaluate(model, p, Target.TEST));
            names.add("transformer, stage 1 only");
            results.add(pipeline.evaluate(model, p, Target.TEST, 0));
            names.add("most popular");
            results.add(ev.evaluate(p.split(), Target.TEST, MostPopular.fit(p.split())));
            names.add("markov (last item)");
            results.add(ev.evaluate(p.split(), Target.TEST, Markov.fit(p.split())));
            names.add("item-knn");
            results.add(ev.evaluate(p.split(), Target.TEST, ItemKnn.fit(p.split(), 100)));
            names.add("random");
            results.add(ev.evaluate(p.split(), Target.TEST, new RandomScorer(d.numItems(), seed)));

            out.println();
            out.println("Test, leave-one-out, full ranking over " + d.numItems() + " items, seen items masked, "
                    + results.get(0).usersEvaluated() + " users:");
            out.println(Tables.compare(names, results, List.of("ndcg@10", "recall@10", "mrr", "coverage@10")));
            double best = results.get(0).metric("ndcg@10");
            double pop = results.get(2).metric("ndcg@10");
            double markov = results.get(3).metric("ndcg@10");
            out.printf(
                    Locale.ROOT,
                    "NDCG@10: the model %.4f vs most popular %.4f (%.2fx) and markov %.4f (%.2fx)%n",
                    best,
                    pop,
                    best / pop,
                    markov,
                    best / markov);

            out.println();
            Recommender rec = new Recommender(model, c.eval().rerank());
            int shown = 0;
            for (int u = 1; u <= p.split().numUsers() && shown < 2; u++) {
                int[] h = p.split().history(u, Target.TEST);
                if (h.length < 3) {
                    continue;
                }
                shown++;
                out.println("user " + d.userIds().external(u) + " recently watched:");
                for (int j = Math.max(0, h.length - 3); j < h.length; j++) {
                    out.println("    " + title(d, h[j]));
                }
                out.println("  recommended:");
                for (Recommendation r : rec.recommend(h, 5)) {
                    out.printf(
                            Locale.ROOT,
                            "    %-50s %7.3f%s%n",
                            title(d, r.item()),
                            r.score(),
                            r.item() == p.split().target(u, Target.TEST) ? "   <- the held-out next item" : "");
                }
            }
        }
        out.printf(Locale.ROOT, "%nquickstart finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        return Main.OK;
    }

    private static String title(Dataset d, int item) {
        String t = d.hasMeta() ? d.meta().title(item) : null;
        return t == null ? "item " + d.itemIds().external(item) : t;
    }
}
