package dev.recsys.examples.cli;

import dev.recsys.eval.data.Dataset;
import dev.recsys.examples.workflow.DataSource;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** An optional {@code --data FORMAT:PATH} (users' histories and titles) with the SASRec content options. */
final class OptionalDataOptions {
    @Option(names = "--data", paramLabel = "FORMAT:PATH", description = "Data set: users' histories and item titles.")
    String data;

    @Option(
            names = "--item-map",
            paramLabel = "FILE",
            description = "sasrec with --movies: the item id map, or 'identity'.")
    Path itemMap;

    @Option(names = "--movies", paramLabel = "FILE", description = "sasrec: movies file for titles.")
    Path movies;

    /** The data set, or null when --data is not given. */
    Dataset loadOrNull() {
        return data == null ? null : DataSource.load(data, itemMap, movies);
    }
}
