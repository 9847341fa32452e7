package dev.recsys.eval.protocol;

import dev.recsys.api.RecsysException;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching and threading of an evaluation: users are cut into batches, which a small pool of
 * threads takes in turn; each thread gathers its batch's histories, has the {@link BatchScorer}
 * score the batch (one thread at a time unless the scorer is {@linkplain BatchScorer#threadSafe()
 * thread-safe}) and hands every row to its own {@link UserRanker}, so ranking goes on while another
 * batch is scored. User {@code users[j]} is ranked into slot j whatever the batching.
 */
final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    /**
     * The evaluation threads, kept for the life of the JVM and reused by every evaluation: as many
     * as the most workers one evaluation has asked for (more workers than threads wait in the queue).
     * Not a new pool per evaluation: an engine may keep native state per thread that outlives the
     * thread (SameDiff keeps an inference session with its arrays per thread id), and with a new
     * pool per validation pass DL4J's resident memory grew by about 175 MiB per new scoring thread
     * until the run was stopped (docs/RESULTS.md).
     */
    private static final ThreadPoolExecutor THREADS =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "recsys-eval-" + THREAD_NUMBER.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private BatchRunner() {}

    /**
     * Scores and ranks {@code users} on {@code threads} threads at most.
     *
     * @param perThread makes one ranker per thread
     * @return the rankers used, one per thread
     */
    static List<UserRanker> run(
            Split split,
            Target target,
            BatchScorer scorer,
            int[] users,
            int batchSize,
            int threads,
            Supplier<UserRanker> perThread) {
        int nBatches = (users.length + batchSize - 1) / batchSize;
        int nThreads = Math.max(1, Math.min(threads, nBatches));
        Shared shared = new Shared(split, target, scorer, users, batchSize, nBatches);
        List<Worker> workers = new ArrayList<>();
        for (int w = 0; w < nThreads; w++) {
            workers.add(new Worker(shared, perThread.get()));
        }
        if (nThreads == 1) {
            workers.get(0).run();
        } else {
            runInPool(workers);
        }
        if (shared.nanBatches.get() > 0) {
            LOG.warn("{} batches held NaN scores; a NaN target score ranks last", shared.nanBatches.get());
        }
        List<UserRanker> rankers = new ArrayList<>();
        for (Worker w : workers) {
            rankers.add(w.ranker);
        }
        return rankers;
    }

    /** How many evaluation threads this JVM has started. */
    static int threadsStarted() {
        return THREAD_NUMBER.get();
    }

    private static synchronized void ensureThreads(int n) {
        if (THREADS.getMaximumPoolSize() < n) {
            THREADS.setMaximumPoolSize(n);
            THREADS.setCorePoolSize(n);
        }
    }

    private static void runInPool(List<Worker> workers) {
        ensureThreads(workers.size());
        List<Future<?>> fs = new ArrayList<>();
        try {
            for (Worker w : workers) {
                fs.add(THREADS.submit(w));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecsysException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new RecsysException("evaluation failed: " + c, c);
        } finally {
            for (Future<?> f : fs) {
                f.cancel(true);
            }
        }
    }

    /** What the threads share: the work, the next batch to take, the scorer's lock. */
    private record Shared(
            Split split,
            Target target,
            BatchScorer scorer,
            int[] users,
            int batchSize,
            int nBatches,
            AtomicInteger next,
            AtomicLong nanBatches,
            Object lock) {
        Shared(Split split, Target target, BatchScorer scorer, int[] users, int batchSize, int nBatches) {
            this(
                    split,
                    target,
                    scorer,
                    users,
                    batchSize,
                    nBatches,
                    new AtomicInteger(),
                    new AtomicLong(),
                    new Object());
        }
    }

    /** One thread: takes batches until none is left; reuses its score buffer. */
    private static final class Worker implements Runnable {
        private final Shared sh;
        private final UserRanker ranker;
        private float[] out;

        Worker(Shared shared, UserRanker ranker) {
            this.sh = shared;
            this.ranker = ranker;
        }

        @Override
        public void run() {
            int stride = sh.split.numItems() + 1;
            int b;
            while ((b = sh.next.getAndIncrement()) < sh.nBatches) {
                int from = b * sh.batchSize;
                int to = Math.min(sh.users.length, from + sh.batchSize);
                int bm = to - from;
                int[] us = Arrays.copyOfRange(sh.users, from, to);
                int[][] hs = new int[bm][];
                for (int r = 0; r < bm; r++) {
                    hs[r] = sh.split.history(us[r], sh.target);
                }
                if (out == null || out.length != bm * stride) {
                    out = new float[bm * stride];
                }
                if (sh.scorer.threadSafe()) {
                    sh.scorer.score(us, hs, out);
                } else {
                    synchronized (sh.lock) {
                        sh.scorer.score(us, hs, out);
                    }
                }
                boolean nan = false;
                for (int r = 0; r < bm; r++) {
                    nan |= ranker.rank(us[r], hs[r], out, r * stride, from + r);
                }
                if (nan) {
                    sh.nanBatches.incrementAndGet();
                }
            }
        }
    }
}
