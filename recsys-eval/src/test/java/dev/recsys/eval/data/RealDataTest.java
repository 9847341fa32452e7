package dev.recsys.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.eval.TestData;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Checks against the real MovieLens files in ../shared/data (skipped when absent). */
class RealDataTest {

    @Test
    void sasrecMl1mHasThePublishedCounts() throws Exception {
        Path txt = TestData.require("sasrec/ml-1m.txt");
        Dataset d = Sasrec.read(txt, null, null);
        assertThat(d.numUsers()).isEqualTo(6040);
        assertThat(d.numItems()).isEqualTo(3416);
        assertThat(d.numInteractions()).isEqualTo(999_611);
        assertThat(d.history(1)).startsWith(1, 2, 3);
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.minLength()).isEqualTo(18); // checked with awk
        assertThat(s.maxLength()).isEqualTo(2277);
        assertThat(s.interactions()).isEqualTo(999_611);
    }

    @Test
    void sasrecItemsGetTitlesAndGenresThroughTheItemMap() throws Exception {
        Path txt = TestData.require("sasrec/ml-1m.txt");
        Path map = TestData.require("sasrec/sas_to_original_items.txt");
        Path movies = TestData.require("ml-1m/movies.dat");
        Dataset d = Sasrec.read(txt, map, movies);
        ItemMeta m = d.meta();
        assertThat(m.titledItems()).isEqualTo(3416);
        // sas item 3 is original movie 356
        assertThat(m.title(3)).isEqualTo("Forrest Gump");
        assertThat(m.year(3)).isEqualTo(1994);
        assertThat(m.genres(3)).containsExactly("Comedy", "Romance", "War");
        // sas item 1 is original 1198
        assertThat(m.title(1)).isEqualTo("Raiders of the Lost Ark");
        int les = -1;
        for (int i = 1; i <= d.numItems(); i++) {
            if ("Misérables, Les".equals(m.title(i))) {
                les = i;
            }
        }
        assertThat(les).as("movie 73 'Misérables, Les' decoded from ISO-8859-1").isPositive();
        assertThat(m.year(les)).isEqualTo(1995);
    }

    @Test
    void ml100kHasThePublishedCountsAndDecodesAccents() throws Exception {
        Path dir = TestData.require("ml-100k");
        Dataset d = MovieLens.read100k(dir);
        assertThat(d.numUsers()).isEqualTo(943);
        assertThat(d.numItems()).isEqualTo(1682);
        assertThat(d.numInteractions()).isEqualTo(100_000);
        assertThat(d.hasRatings()).isTrue();
        int[] hist = new int[6];
        for (int k = 0; k < d.numInteractions(); k++) {
            hist[(int) d.rating(k)]++;
        }
        assertThat(Arrays.copyOfRange(hist, 1, 6)).containsExactly(6110, 11370, 27145, 34174, 21201);
        for (int u = 1; u <= d.numUsers(); u++) {
            for (int k = d.start(u) + 1; k < d.end(u); k++) {
                assertThat(d.timestamp(k)).isGreaterThanOrEqualTo(d.timestamp(k - 1));
            }
        }
        ItemMeta m = d.meta();
        int toy = d.itemIds().get(1L);
        assertThat(m.title(toy)).isEqualTo("Toy Story");
        assertThat(m.genres(toy)).containsExactly("Animation", "Children's", "Comedy");
        assertThat(m.year(toy)).isEqualTo(1995);
        boolean accent = false;
        for (int i = 1; i <= d.numItems(); i++) {
            if (m.title(i) != null && m.title(i).contains("Misérables")) {
                accent = true;
            }
            assertThat(m.title(i) == null || !m.title(i).contains("\u00c3"))
                    .as("no mojibake in %s", m.title(i))
                    .isTrue();
        }
        assertThat(accent).isTrue();
    }

    @Test
    void ml1mPartialRatingsAreReadOnlyWhenNamedExplicitly() throws Exception {
        Path dir = TestData.require("ml-1m");
        Path partial = TestData.require("ml-1m/ratings.partial-users-0001-2999.dat");
        assertThatThrownBy(() -> MovieLens.read1m(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("ratings.partial-users-0001-2999.dat")
                .hasMessageContaining("read1m(ratingsFile, moviesFile)");
        Dataset d = MovieLens.read1m(partial, dir.resolve("movies.dat"));
        assertThat(d.numUsers()).isEqualTo(2999);
        assertThat(d.numItems()).isEqualTo(3615);
        assertThat(d.numInteractions()).isEqualTo(487_650);
        assertThat(d.meta().titledItems()).isEqualTo(3615);
    }
}
