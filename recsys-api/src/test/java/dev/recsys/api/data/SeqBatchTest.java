package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqBatchTest {
    private final int[][] histories = {{1, 2, 3, 4, 5}, {7, 8}};

    @Test
    void windowsAreLeftPaddedToTheLongestRowUpToMaxLen() {
        int[] ends = {4, 1}; // next-item inputs: every item but the last
        assertThat(SeqBatch.windowLength(ends, 3)).isEqualTo(3);
        assertThat(SeqBatch.windowLength(ends, 10)).isEqualTo(4);
        assertThat(SeqBatch.windowLength(new int[] {0}, 10)).isEqualTo(1);
        SeqBatch in = SeqBatch.leftPadded(histories, new int[][] {{1, 1, 2, 2, 3}, {4, 5}}, ends, 3);
        assertThat(in.items()).containsExactly(2, 3, 4, 0, 0, 7);
        assertThat(in.events()).containsExactly(1, 2, 2, 0, 0, 4);
        // shift 1: the next item of each input position (the next-item targets)
        assertThat(SeqBatch.leftPad(histories, ends, 3, 1)).containsExactly(3, 4, 5, 0, 0, 8);
        assertThat(SeqBatch.leftPadded(histories, null, ends, 3).events()).isNull();
    }
}
