package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.Sampling;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private final TrainingData data = TrainingData.of(9, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}, {9}});
    private final NegativeSampler sampler = new NegativeSampler(9, Sampling.UNIFORM, null);

    @Test
    void nextItemBatchesAreLeftPaddedWithShiftedTargets() {
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.Bce(2), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(3));
        // user 0: inputs = last 4 of 1..5 = 2,3,4,5 ; targets 3,4,5,6. user 1: input 7 -> target 8, left-padded
        assertThat(batch.input().length()).isEqualTo(4);
        assertThat(batch.input().items()).containsExactly(2, 3, 4, 5, 0, 0, 0, 7);
        assertThat(batch.targets()).containsExactly(3, 4, 5, 6, 0, 0, 0, 8);
        assertThat(perPosition(batch).perRow()).isEqualTo(3);
        for (int p = 0; p < 8; p++) {
            int t = batch.targets()[p];
            if (t == 0) {
                assertThat(perPosition(batch).candidates()[p * 3]).isZero();
                continue;
            }
            assertThat(perPosition(batch).candidates()[p * 3]).isEqualTo(t);
            assertThat(perPosition(batch).candidates()[p * 3 + 1])
                    .isNotEqualTo(t)
                    .isBetween(1, 9);
            assertThat(perPosition(batch).candidates()[p * 3 + 2])
                    .isNotEqualTo(t)
                    .isBetween(1, 9);
        }
    }

    @Test
    void batchLengthShrinksToTheLongestRowRoundedUpToItsBucket() {
        // user 1's window holds 1 item; maxLen 200 has buckets of 25
        Batcher b = new Batcher(data, 200, Stage.PRETRAIN, new LossSpec.SoftmaxCe(), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {1}, new SplittableRandom(3));
        assertThat(batch.input().length()).isEqualTo(25);
        assertThat(batch.input().items())
                .containsOnlyOnce(batch.input().items()[24])
                .startsWith(0, 0, 0);
        assertThat(batch.negatives()).isInstanceOf(Negatives.None.class);
        assertThat(Batcher.bucketLength(1, 200)).isEqualTo(25);
        assertThat(Batcher.bucketLength(25, 200)).isEqualTo(25);
        assertThat(Batcher.bucketLength(26, 200)).isEqualTo(50);
        assertThat(Batcher.bucketLength(199, 200)).isEqualTo(200);
        assertThat(Batcher.bucketLength(3, 4)).isEqualTo(3); // maxLen 4: buckets of 1
        assertThat(Batcher.bucketLength(6, 50)).isEqualTo(7); // maxLen 50: buckets of 7, capped at 50
        assertThat(Batcher.bucketLength(43, 50)).isEqualTo(49);
        assertThat(Batcher.bucketLength(50, 50)).isEqualTo(50);
    }

    @Test
    void itemIdDropoutFlagsAboutItsRateOfTheCatalogueAndChangesNoOtherDraw() {
        TrainingData d = TrainingData.of(2000, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}});
        NegativeSampler s = new NegativeSampler(2000, Sampling.UNIFORM, null);
        Batcher plain = new Batcher(d, 4, Stage.PRETRAIN, new LossSpec.SampledSoftmax(3, false), s, false);
        Batcher dropping = plain.withIdDropout(0.25f);
        TrainBatch.NextItem a = (TrainBatch.NextItem) plain.build(new int[] {0, 1}, new SplittableRandom(5));
        TrainBatch.NextItem b = (TrainBatch.NextItem) dropping.build(new int[] {0, 1}, new SplittableRandom(5));
        assertThat(a.droppedIds()).isNull();
        assertThat(b.input().items()).containsExactly(a.input().items());
        assertThat(perPosition(b).candidates()).containsExactly(perPosition(a).candidates());
        boolean[] dropped = b.droppedIds();
        assertThat(dropped).hasSize(2001);
        assertThat(dropped[0]).as("the padding item").isFalse();
        int count = 0;
        for (boolean x : dropped) {
            count += x ? 1 : 0;
        }
        assertThat(count).isBetween(440, 560); // 2000 x 0.25 = 500, sd 19
        TrainBatch.NextItem again = (TrainBatch.NextItem) dropping.build(new int[] {0, 1}, new SplittableRandom(5));
        assertThat(again.droppedIds()).containsExactly(dropped);
        TrainBatch.NextItem other = (TrainBatch.NextItem) dropping.build(new int[] {0, 1}, new SplittableRandom(6));
        assertThat(other.droppedIds()).isNotEqualTo(dropped);
        assertThat(plain.withIdDropout(0f).build(new int[] {0}, new SplittableRandom(5)))
                .isInstanceOfSatisfying(
                        TrainBatch.NextItem.class,
                        n -> assertThat(n.droppedIds()).isNull());
        assertThatThrownBy(() -> plain.withIdDropout(1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idDropout must be in [0, 1), found 1.0");
    }

    @Test
    void sampledSoftmaxCarriesLogQOfEveryCandidate() {
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.SampledSoftmax(3, true), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0}, new SplittableRandom(3));
        assertThat(perPosition(batch).logQ()).hasSize(16);
        assertThat(perPosition(batch).logQ()[0]).isEqualTo((float) -Math.log(9));
    }

    @Test
    void sharedNegativesAreDrawnOncePerRowWithoutExcludingTargets() {
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.Bce(20), sampler, false, true);
        assertThat(b.sharesNegatives()).isTrue();
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(3));
        assertThat(batch.negatives()).isInstanceOf(Negatives.SharedByRow.class);
        assertThat(byRow(batch).targetLogQ()).isNull();
        assertThat(byRow(batch).logQ()).isNull();
        assertThat(batch.targets()).containsExactly(3, 4, 5, 6, 0, 0, 0, 8);
        // 20 negatives for each of the 2 rows, row b's at [20 b, 20 b + 20)
        assertThat(byRow(batch).ids()).hasSize(40);
        assertThat(byRow(batch).k()).isEqualTo(20);
        assertThat(byRow(batch).offset(3, batch.input().length())).isZero();
        assertThat(byRow(batch).offset(4, batch.input().length())).isEqualTo(20);
        assertThat(byRow(batch).offset(7, batch.input().length())).isEqualTo(20);
        assertThat(java.util.Arrays.stream(byRow(batch).ids()).allMatch(id -> id >= 1 && id <= 9))
                .isTrue();
        // 20 uniform draws from 9 items: targets are not excluded (the loss drops the collisions)
        assertThat(java.util.Arrays.copyOfRange(byRow(batch).ids(), 0, 20)).containsAnyOf(3, 4, 5, 6);
        // the two rows draw their own negatives
        assertThat(java.util.Arrays.copyOfRange(byRow(batch).ids(), 0, 20))
                .isNotEqualTo(java.util.Arrays.copyOfRange(byRow(batch).ids(), 20, 40));
        // the draws come from the batch's generator: same seed, same negatives; another seed, others
        TrainBatch.NextItem again = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(3));
        assertThat(byRow(again).ids()).containsExactly(byRow(batch).ids());
        TrainBatch.NextItem other = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(4));
        assertThat(byRow(other).ids()).isNotEqualTo(byRow(batch).ids());
    }

    @Test
    void unseenSharedNegativesAreDistinctItemsOutsideTheUsersSequence() {
        // 12 items; user 0 has seen 1..6, user 1 has seen 7, 8
        TrainingData d = TrainingData.of(12, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}});
        NegativeSampler unseen = new NegativeSampler(12, Sampling.UNSEEN, null);
        Batcher b = new Batcher(d, 4, Stage.PRETRAIN, new LossSpec.SampledSoftmax(5, false), unseen, false, true);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(7));
        int[] row0 = java.util.Arrays.copyOfRange(byRow(batch).ids(), 0, 5);
        int[] row1 = java.util.Arrays.copyOfRange(byRow(batch).ids(), 5, 10);
        // user 0 has 6 unseen items (7..12): 5 distinct ones of them, none of the sequence (1, 2 included:
        // they are before the window of 4 but still the user's items)
        assertThat(row0).doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(row0).allMatch(id -> id >= 7 && id <= 12))
                .isTrue();
        // user 1: 5 distinct items of 1..6 and 9..12
        assertThat(row1).doesNotHaveDuplicates().doesNotContain(7, 8);
        assertThat(java.util.Arrays.stream(row1).allMatch(id -> id >= 1 && id <= 12))
                .isTrue();
        // over many batches every unseen item of user 0 is drawn: a uniform draw, not a fixed subset
        java.util.Set<Integer> drawn = new java.util.HashSet<>();
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 50; i++) {
            TrainBatch.NextItem x = (TrainBatch.NextItem) b.build(new int[] {0}, r);
            for (int id : byRow(x).ids()) {
                drawn.add(id);
            }
        }
        assertThat(drawn).containsExactlyInAnyOrder(7, 8, 9, 10, 11, 12);
    }

    @Test
    void heldOutItemsAreNeverUnseenNegatives() {
        boolean[] held = new boolean[13];
        held[9] = true;
        held[10] = true;
        TrainingData d = new TrainingData(12, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}}, null, null, held);
        Batcher b = new Batcher(
                d,
                4,
                Stage.PRETRAIN,
                new LossSpec.SampledSoftmax(3, false),
                new NegativeSampler(12, Sampling.UNSEEN, null, held),
                false,
                true);
        java.util.Set<Integer> drawn = new java.util.HashSet<>();
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 50; i++) {
            for (int id : byRow((TrainBatch.NextItem) b.build(new int[] {0}, r)).ids()) {
                drawn.add(id);
            }
        }
        assertThat(drawn).containsExactlyInAnyOrder(7, 8, 11, 12);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new TrainingData(12, new int[][] {{9}}, null, null, held))
                .hasMessageContaining("held out");
    }

    @Test
    void unseenNegativesRepeatWhenTheUserHasSeenAlmostEverything() {
        // 7 items, user 0 has seen 1..6: one unseen item for 4 shared negatives; user 1 has seen all 3 of
        // a 3-item catalogue and falls back to the sampler's uniform draws
        TrainingData d = TrainingData.of(7, new int[][] {{1, 2, 3, 4, 5, 6}});
        Batcher b = new Batcher(
                d, 4, Stage.PRETRAIN, new LossSpec.Bce(4), new NegativeSampler(7, Sampling.UNSEEN, null), false, true);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0}, new SplittableRandom(1));
        assertThat(byRow(batch).ids()).containsExactly(7, 7, 7, 7);
        TrainingData all = TrainingData.of(3, new int[][] {{1, 2, 3}});
        Batcher full = new Batcher(
                all,
                4,
                Stage.PRETRAIN,
                new LossSpec.Bce(4),
                new NegativeSampler(3, Sampling.UNSEEN, null),
                false,
                true);
        TrainBatch.NextItem fallback = (TrainBatch.NextItem) full.build(new int[] {0}, new SplittableRandom(1));
        assertThat(byRow(fallback).ids()).hasSize(4);
        assertThat(java.util.Arrays.stream(byRow(fallback).ids()).allMatch(id -> id >= 1 && id <= 3))
                .isTrue();
    }

    @Test
    void unseenPerPositionAndFineTuningNegativesAvoidTheUsersSequence() {
        TrainingData d = TrainingData.of(12, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}});
        NegativeSampler unseen = new NegativeSampler(12, Sampling.UNSEEN, null);
        Batcher pre = new Batcher(d, 4, Stage.PRETRAIN, new LossSpec.Bce(3), unseen, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) pre.build(new int[] {0, 1}, new SplittableRandom(2));
        assertThat(perPosition(batch).perRow()).isEqualTo(4);
        int len = batch.input().length();
        for (int p = 0; p < batch.targets().length; p++) {
            if (batch.targets()[p] == 0) {
                continue;
            }
            int[] own = p / len == 0 ? new int[] {1, 2, 3, 4, 5, 6} : new int[] {7, 8};
            for (int j = 1; j < 4; j++) {
                assertThat(perPosition(batch).candidates()[p * 4 + j])
                        .isNotIn(java.util.Arrays.stream(own).boxed().toList());
            }
        }
        Batcher fine = new Batcher(d, 10, Stage.FINETUNE, new LossSpec.Bpr(8), unseen, false);
        TrainBatch.Candidates c = (TrainBatch.Candidates) fine.build(new int[] {0, 0, 0}, new SplittableRandom(3));
        for (int row = 0; row < 3; row++) {
            for (int j = 1; j < 9; j++) {
                assertThat(c.candidates()[row * 9 + j]).isBetween(7, 12);
            }
        }
    }

    @Test
    void sharedNegativesFollowThePopularityDistribution() {
        long[] counts = new long[10];
        counts[2] = 10_000; // item 2 carries almost all the mass (others have the +1 smoothing)
        NegativeSampler popular = new NegativeSampler(9, Sampling.POPULARITY, counts);
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.Gbce(100, 0.5f), popular, false, true);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0}, new SplittableRandom(5));
        long twos = java.util.Arrays.stream(byRow(batch).ids())
                .filter(id -> id == 2)
                .count();
        // P(2) = 10001 / 10009 > 0.999
        assertThat(twos).isGreaterThanOrEqualTo(95);
    }

    @Test
    void sharedSampledSoftmaxCarriesTheTargetsAndTheNegativesLogQ() {
        long[] counts = {0, 3, 1, 0, 0, 0, 0, 0, 0, 0};
        NegativeSampler popular = new NegativeSampler(9, Sampling.POPULARITY, counts);
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.SampledSoftmax(16, true), popular, false, true);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(7));
        // smoothed counts: item 1 -> 4, item 2 -> 2, others 1; total 4 + 2 + 7 = 13
        assertThat(byRow(batch).targetLogQ()).hasSize(8);
        assertThat(byRow(batch).targetLogQ()[0]).isEqualTo((float) Math.log(1.0 / 13)); // target 3
        assertThat(byRow(batch).targetLogQ()[4]).isZero(); // padding: no target
        assertThat(byRow(batch).logQ()).hasSize(32);
        for (int k = 0; k < 32; k++) {
            int id = byRow(batch).ids()[k];
            double expected = Math.log((id == 1 ? 4.0 : id == 2 ? 2.0 : 1.0) / 13);
            assertThat(byRow(batch).logQ()[k]).isEqualTo((float) expected);
        }
    }

    @Test
    void theTrainerSharesNegativesOfPretrainingRankingLossesFromSixteenOn() {
        assertThat(Batcher.sharesNegatives(Stage.PRETRAIN, new LossSpec.Bce(16)))
                .isTrue();
        assertThat(Batcher.sharesNegatives(Stage.PRETRAIN, new LossSpec.Gbce(256, 0.75f)))
                .isTrue();
        assertThat(Batcher.sharesNegatives(Stage.PRETRAIN, new LossSpec.SampledSoftmax(100, true)))
                .isTrue();
        assertThat(Batcher.sharesNegatives(Stage.PRETRAIN, new LossSpec.Bce(15)))
                .isFalse();
        assertThat(Batcher.sharesNegatives(Stage.PRETRAIN, new LossSpec.SoftmaxCe()))
                .isFalse();
        assertThat(Batcher.sharesNegatives(Stage.FINETUNE, new LossSpec.Bce(100)))
                .isFalse();
        // asking a fine-tuning batcher to share changes nothing
        Batcher fine = new Batcher(data, 10, Stage.FINETUNE, new LossSpec.Bpr(20), sampler, false, true);
        assertThat(fine.sharesNegatives()).isFalse();
        assertThat(((TrainBatch.Candidates) fine.build(new int[] {0}, new SplittableRandom(1))).perRow())
                .isEqualTo(21);
    }

    @Test
    void fineTuningCutsAHistoryAndPutsThePositiveFirst() {
        Batcher b = new Batcher(data, 10, Stage.FINETUNE, new LossSpec.Bce(2), sampler, false);
        for (long seed = 0; seed < 20; seed++) {
            TrainBatch.Candidates batch = (TrainBatch.Candidates) b.build(new int[] {0}, new SplittableRandom(seed));
            int[] items = batch.input().items();
            int last = items[items.length - 1];
            // the history ends right before the positive: positive = last + 1 in this data
            assertThat(batch.candidates()[0]).isEqualTo(last + 1);
            assertThat(batch.labels()).containsExactly(1f, 0f, 0f);
        }
    }

    @Test
    void mseWithoutRatingsIsRefused() {
        assertThatThrownBy(() -> new Batcher(data, 4, Stage.FINETUNE, new LossSpec.Mse(), sampler, false))
                .hasMessageContaining("ratings");
    }

    private static Negatives.PerPosition perPosition(TrainBatch.NextItem b) {
        return (Negatives.PerPosition) b.negatives();
    }

    private static Negatives.SharedByRow byRow(TrainBatch.NextItem b) {
        return (Negatives.SharedByRow) b.negatives();
    }
}
