package dev.recsys.examples.compare;

import dev.recsys.api.spi.BackendOptions;
import java.nio.file.Path;

/**
 * What one backend does in a comparison: train the config on the data, evaluate, time, and score
 * the parity batch. Written as JSON for a child JVM ({@link BackendRunner#main}).
 *
 * @param data          the {@code --data} spec
 * @param itemMap       sasrec item map (null = none)
 * @param movies        sasrec movies file (null = none)
 * @param configFile    the merged experiment config as a JSON file
 * @param backend       backend name
 * @param threads       engine threads
 * @param cacheDir      engine natives folder (null = default)
 * @param latencyCalls  timed {@code recommend} calls
 * @param latencyWarmup untimed calls before them
 * @param parityUsers   rows of the parity batch
 * @param saveModel     where to save the trained model (null = do not save)
 * @param parityModel   the model every backend loads for the parity check
 * @param outDir        where the results go (eval.json, run.json, parity-*.f32)
 * @param coldItems     the cold-start items protocol ({@code --cold-items}), or null
 */
public record RunJob(
        String data,
        String itemMap,
        String movies,
        String configFile,
        String backend,
        int threads,
        String cacheDir,
        int latencyCalls,
        int latencyWarmup,
        int parityUsers,
        String saveModel,
        String parityModel,
        String outDir,
        String coldItems) {
    public RunJob {
        if (data == null || configFile == null || backend == null || parityModel == null || outDir == null) {
            throw new IllegalArgumentException("a run job needs data, configFile, backend, parityModel and outDir");
        }
        if (threads < 1 || latencyCalls < 1 || latencyWarmup < 0 || parityUsers < 1) {
            throw new IllegalArgumentException(
                    "expected threads >= 1, latencyCalls >= 1, latencyWarmup >= 0, parityUsers >= 1, found " + threads
                            + ", " + latencyCalls + ", " + latencyWarmup + ", " + parityUsers);
        }
    }

    BackendOptions options() {
        return new BackendOptions(threads, 1, cacheDir == null ? null : Path.of(cacheDir));
    }

    static Path path(String s) {
        return s == null ? null : Path.of(s);
    }
}
