package dev.recsys.examples.cli;

import dev.recsys.eval.data.Dataset;
import dev.recsys.examples.workflow.DataSource;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data FORMAT:PATH} with the SASRec content options. */
public final class DataOptions {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "FORMAT:PATH",
            description =
                    "ml-100k|ml-1m|ml-10m|ml-20m|ml-25m|ml-latest|sasrec|csv:PATH, prepared:DIR (recsys spark prepare), or synthetic[:users=N,items=N,seed=N] (also medianLength=N[,lengthSpread=S,minLength=N]: short-tailed lengths).")
    String data;

    @Option(
            names = "--item-map",
            paramLabel = "FILE",
            description =
                    "sasrec with --movies: the item id map (lines 'sasrec_id movie_id', e.g. sas_to_original_items.txt), or 'identity' when the sasrec ids are the movie ids.")
    Path itemMap;

    @Option(
            names = "--movies",
            paramLabel = "FILE",
            description = "sasrec: movies file (ml-1m movies.dat) for titles and genres.")
    Path movies;

    public Dataset load() {
        return DataSource.load(data, itemMap, movies);
    }
}
