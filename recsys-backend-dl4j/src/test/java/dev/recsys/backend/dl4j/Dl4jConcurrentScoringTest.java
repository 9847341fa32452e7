package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.contract.ContractFixtures;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Scoring from several threads at once gives exactly the single-threaded results (graphs run under the model's lock). */
class Dl4jConcurrentScoringTest {
    @Test
    void concurrentScoringCallsGiveTheSingleThreadedScores() throws Exception {
        ContractFixtures.Case c = ContractFixtures.cases().get(0);
        SeqBatch batch = ContractFixtures.batch(c.config());
        SeqBatch shorter = ContractFixtures.keepLast(batch, 3);
        int[] cand = ContractFixtures.candidates();
        try (Backend backend = new Dl4jBackendProvider().create(BackendOptions.defaults());
                RecModel m = backend.create(
                        c.config(), ContractFixtures.content(c.config()), ContractFixtures.weights(c.config()), 1)) {
            float[] all = m.scoreAll(batch);
            float[] allShort = m.scoreAll(shorter);
            float[] stage2 = m.scoreCandidates(batch, cand, ContractFixtures.PER_ROW);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int id = t;
                    fs.add(pool.submit(() -> {
                        boolean ok = true;
                        for (int i = 0; i < 8; i++) {
                            ok &= java.util.Arrays.equals(m.scoreAll(batch), all);
                            ok &= java.util.Arrays.equals(
                                    m.scoreCandidates(batch, cand, ContractFixtures.PER_ROW), stage2);
                            if ((i + id) % 2 == 0) {
                                ok &= java.util.Arrays.equals(
                                        m.scoreAll(shorter), allShort); // another graph shape in between
                            }
                        }
                        return ok;
                    }));
                }
                for (Future<Boolean> f : fs) {
                    assertThat(f.get())
                            .as("every concurrent result equals the single-threaded one")
                            .isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
