package dev.recsys.examples.cli;

import dev.recsys.api.DataException;
import dev.recsys.api.recommend.NewItemBoost;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.baseline.Baselines;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.PairedTest;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.GroupedResult;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.ResultFiles;
import dev.recsys.examples.workflow.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code recsys evaluate}: a model or a baseline on a data set; or a paired comparison of two result files. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a model or a baseline (leave-one-out, or the split a prepared folder records; full ranking over",
            "the catalogue with seen items masked and pessimistic ties by default), or compare two result files with",
            "a paired t-test and a bootstrap CI."
        })
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FORMAT:PATH", description = "Data set (see recsys train --help).")
    String data;

    @Option(
            names = "--item-map",
            paramLabel = "FILE",
            description =
                    "sasrec with --movies: the item id map (lines 'sasrec_id movie_id', e.g. sas_to_original_items.txt), or 'identity' when the sasrec ids are the movie ids.")
    Path itemMap;

    @Option(names = "--movies", paramLabel = "FILE", description = "sasrec: movies file.")
    Path movies;

    @ArgGroup(exclusive = true)
    What what;

    static final class What {
        @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder.")
        Path model;

        @Option(
                names = "--baseline",
                paramLabel = "NAME",
                description = "mostpop (most popular; alias: popular), itemknn, markov, "
                        + "contentknn (TF-IDF over the items' content, needs titles) or random.")
        String baseline;

        @Option(
                names = "--compare",
                arity = "2",
                paramLabel = "RESULT.json",
                description = "Two result files to compare (paired test).")
        List<Path> compare;
    }

    @Mixin
    EngineOptions engine;

    @Option(names = "--protocol", defaultValue = "full", description = "full (default) or sampled.")
    String protocol;

    @Option(
            names = "--negatives",
            defaultValue = "100",
            description = "Negatives of the sampled protocol (default: ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--sampling", defaultValue = "uniform", description = "Sampled protocol: uniform or popularity.")
    String sampling;

    @Option(names = "--k", split = ",", defaultValue = "5,10,20", description = "Cut-offs (default: ${DEFAULT-VALUE}).")
    int[] ks;

    @Option(names = "--target", defaultValue = "test", description = "test (default) or validation.")
    String target;

    @Option(names = "--rerank", description = "Stage-2 re-ranking depth (default: the model's; 0 = stage 1 only).")
    Integer rerank;

    @Option(
            names = "--metric",
            defaultValue = "ndcg@10",
            description = "Metric of --compare (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of sampled negatives and of the random baseline.")
    long seed;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the result (metrics, protocol, per-user values) as JSON.")
    Path json;

    @Option(
            names = "--new-item-boost",
            paramLabel = "SD",
            description = "Raise the scores of new items (cold in training under --cold-items) by SD standard"
                    + " deviations of the user's scores over trained items,"
                    + " (docs/MODEL.md \"New-item boost\"; content models; default 0).")
    Float newItemBoost;

    @Option(
            names = "--cold-items",
            paramLabel = "SPEC",
            description =
                    "Cold-start items protocol: F, random:F or newest:F "
                            + "(0 < F < 1) of the catalogue never seen in training or histories; reports users with a warm target, a cold "
                            + "target and all. A model trained with --cold-items must be evaluated with the same value and --seed.")
    String coldItems;

    @Option(
            names = "--group",
            defaultValue = "all",
            description = "--compare under --cold-items: all (default), warm or cold.")
    String group;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (what == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "one of --model, --baseline or --compare is required");
        }
        if (json != null) {
            Outputs.file(json, "--json");
        }
        if (newItemBoost != null && what.model == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--new-item-boost applies to --model only (a trained content model)");
        }
        if (what.compare != null) {
            ResultFiles.checkComparable(what.compare.get(0), what.compare.get(1));
            EvalResult a = ResultFiles.read(what.compare.get(0), group);
            EvalResult b = ResultFiles.read(what.compare.get(1), group);
            PairedTest.Comparison cmp = PairedTest.compare(a, b, metric);
            out.println(cmp.summary());
            if (json != null) {
                ResultFiles.writeJson(json, cmp);
            }
            return Main.OK;
        }
        if (data == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--data is required to evaluate a model or a baseline");
        }
        ExperimentConfig c = ConfigLoader.load(null, List.of("seed=" + seed));
        c = ConfigLoader.checked(
                new ExperimentConfig(
                        c.model(),
                        c.content(),
                        c.pretrain(),
                        c.finetune(),
                        new ExperimentConfig.Eval(
                                ks, c.eval().metric(), c.eval().rerank(), protocol, negatives, 0),
                        seed),
                "evaluate options");
        var d = dev.recsys.examples.workflow.DataSource.load(data, itemMap, movies);
        Target t = switch (target.toLowerCase(Locale.ROOT)) {
            case "test" -> Target.TEST;
            case "validation" -> Target.VALIDATION;
            default -> throw new DataException("--target must be test or validation, found " + target);
        };
        Protocol proto = switch (protocol.toLowerCase(Locale.ROOT)) {
            case "full" -> Protocol.full();
            case "sampled" ->
                Protocol.sampled(
                        negatives,
                        sampling(sampling),
                        seed,
                        json == null
                                ? null
                                : json.toAbsolutePath().getParent().resolve(json.getFileName() + ".negatives"));
            default -> throw new DataException("--protocol must be full or sampled, found " + protocol);
        };
        ColdItems cold = coldItems == null ? null : ColdItems.parse(coldItems, d, seed);
        Prepared p;
        EvalResult r;
        String modelName;
        String backendName = "none";
        String engineName = "none";
        String fingerprint;
        if (what.baseline != null) {
            // only contentknn needs the content table: skip building it otherwise
            String name = Baselines.canonical(what.baseline);
            boolean content = name.equals("contentknn");
            ExperimentConfig cfg = ConfigLoader.load(null, List.of("model.useContent=" + content, "seed=" + seed));
            p = Workflow.prepare(d, cfg, cold);
            fingerprint = p.fingerprint();
            Split train = p.split();
            BatchScorer scorer = Baselines.fit(name, d.numItems(), train.train(), p.content(), seed, d.name());
            modelName = "baseline:" + name;
            r = Workflow.evaluator(c, proto).evaluate(p.split(t), t, scorer);
        } else {
            p = Workflow.prepare(d, ConfigLoader.load(null, List.of("seed=" + seed)), cold);
            fingerprint = p.fingerprint();
            try (Backend backend = Backends.create(engine.backend(), engine.options());
                    SavedModel m = SavedModel.load(what.model, backend)) {
                m.requireFits(d);
                Workflow.requireSameColdItems(m.data(), cold, what.model);
                int depth = rerank != null ? rerank : m.rerank();
                Split s = p.split(t);
                NewItemBoost boost = newItemBoost == null
                        ? null
                        : NewItemBoost.of(m.data().config(), m.data().weights(), newItemBoost);
                r = Workflow.evaluator(c, proto).evaluate(s, t, ModelScorer.of(m.model(), depth, s, t, boost));
                modelName = what.model.toString()
                        + (depth > 0 ? " (re-rank " + depth + ")" : " (stage 1)")
                        + (boost == null ? "" : " (new-item boost " + newItemBoost + ")");
                backendName = backend.name();
                engineName = backend.engineVersion();
            }
        }
        out.println(
                modelName + " on " + r.dataset() + ", " + r.target().toLowerCase(Locale.ROOT) + ", " + r.protocol());
        GroupedResult groups = cold == null ? null : GroupedResult.of(r, p.split(t), t, cold);
        if (groups == null) {
            out.println(Tables.metrics(r, ks));
        } else {
            out.println("cold items: " + cold.items().length + " of " + d.numItems() + " (" + cold.rule() + ", seed "
                    + cold.seed() + ")");
            for (String g : GroupedResult.GROUPS) {
                EvalResult x = groups.group(g);
                out.println(g + " (" + x.usersEvaluated() + " users with a " + (g.equals("all") ? "" : g + " ")
                        + "target):");
                out.println(Tables.metrics(x, ks));
            }
        }
        if (json != null) {
            var tree = ResultFiles.toMap(r, modelName, backendName, engineName, seed, fingerprint);
            ResultFiles.writeJson(json, groups == null ? tree : ResultFiles.withColdStart(tree, groups, cold));
            out.println("wrote " + json);
        }
        return Main.OK;
    }

    private static Protocol.Sampling sampling(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "uniform" -> Protocol.Sampling.UNIFORM;
            case "popularity" -> Protocol.Sampling.POPULARITY;
            default -> throw new DataException("--sampling must be uniform or popularity, found " + s);
        };
    }
}
