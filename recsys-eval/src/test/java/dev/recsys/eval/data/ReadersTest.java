package dev.recsys.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.api.data.ItemContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {

    private static Path write(Path dir, String name, String text, java.nio.charset.Charset cs) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, text.getBytes(cs));
        return p;
    }

    @Test
    void ml1mHistoriesAreSortedByTimeWithTiesInFileOrderAndLatin1TitlesDecoded(@TempDir Path dir) throws Exception {
        write(
                dir,
                "ratings.dat",
                "7::73::5::300\n7::10::3::100\n9::10::4::50\n7::11::2::300\n7::12::4::200\r\n",
                StandardCharsets.US_ASCII);
        write(
                dir,
                "movies.dat",
                "10::GoldenEye (1995)::Action|Adventure|Thriller\n11::American President, The (1995)::Comedy\n"
                        + "12::Dracula: Dead and Loving It (1995)::Comedy|Horror\n73::Misérables, Les (1995)::Drama|Musical\n",
                StandardCharsets.ISO_8859_1);
        Dataset d = MovieLens.read1m(dir);
        assertThat(d.numUsers()).isEqualTo(2);
        assertThat(d.numItems()).isEqualTo(4);
        int u7 = d.userIds().get(7L);
        // times 300, 100, 300, 200 -> 100 (10), 200 (12), 300 (73), 300 (11): ties keep file order
        int[] h = d.history(u7);
        assertThat(new long[] {
                    d.itemIds().externalLong(h[0]),
                    d.itemIds().externalLong(h[1]),
                    d.itemIds().externalLong(h[2]),
                    d.itemIds().externalLong(h[3])
                })
                .containsExactly(10, 12, 73, 11);
        assertThat(d.timestampHistory(u7)).containsExactly(100, 200, 300, 300);
        assertThat(d.ratingHistory(u7)).containsExactly(3f, 4f, 5f, 2f);
        int les = d.itemIds().get(73L);
        assertThat(d.meta().title(les)).isEqualTo("Misérables, Les");
        assertThat(d.meta().year(les)).isEqualTo(1995);
        assertThat(d.meta().genres(les)).containsExactly("Drama", "Musical");
        assertThat(d.meta().title(d.itemIds().get(12L))).isEqualTo("Dracula: Dead and Loving It");
    }

    @Test
    void aReEncodedUtf8MoviesFileIsDetectedAndDecodedCorrectly(@TempDir Path dir) throws Exception {
        write(dir, "ratings.dat", "1::73::5::1\n", StandardCharsets.US_ASCII);
        write(dir, "movies.dat", "73::Misérables, Les (1995)::Drama\n", StandardCharsets.UTF_8);
        assertThat(TextEncoding.classify(Files.readAllBytes(dir.resolve("movies.dat"))))
                .isEqualTo(TextEncoding.Kind.UTF8);
        Dataset d = MovieLens.read1m(dir);
        assertThat(d.meta().title(1)).isEqualTo("Misérables, Les");
    }

    @Test
    void malformedLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        Path r = write(dir, "ratings.dat", "1::2::5::100\n1::x::5::100\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> MovieLens.read1m(r, null))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("ratings.dat:2:")
                .hasMessageContaining("item id")
                .hasMessageContaining("'x'");
        write(dir, "ratings.dat", "1::2::5\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> MovieLens.read1m(dir))
                .hasMessageContaining("ratings.dat:1: expected at least 4 fields");
        Path sas = write(dir, "s.txt", "1 1\n1 2\n2 0\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Sasrec.read(sas, null, null)).hasMessageContaining("s.txt:3: SASRec ids start at 1");
        Path sas2 = write(dir, "s2.txt", "1 1 1\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Sasrec.read(sas2, null, null)).hasMessageContaining("s2.txt:1: expected 'user item'");
    }

    @Test
    void invalidUtf8InACsvNamesTheLineAndTheByte(@TempDir Path dir) throws Exception {
        write(dir, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.5,10\n", StandardCharsets.US_ASCII);
        write(dir, "movies.csv", "movieId,title,genres\n1,Misérables (1995),Drama\n", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> MovieLens.read20m(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("movies.csv:2: not valid UTF-8")
                .hasMessageContaining("0xE9");
    }

    @Test
    void csvReadersUnderstandHeadersQuotesAndHalfStars(@TempDir Path dir) throws Exception {
        write(
                dir,
                "ratings.csv",
                "userId,movieId,rating,timestamp\n1,11,4.5,20\n1,1,3.0,10\n2,11,0.5,5\n",
                StandardCharsets.US_ASCII);
        write(
                dir,
                "movies.csv",
                "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n"
                        + "11,\"American President, The \"\"Best\"\" (1995)\",Comedy|Drama|Romance\n",
                StandardCharsets.UTF_8);
        Dataset d = MovieLens.read20m(dir);
        assertThat(d.numInteractions()).isEqualTo(3);
        int u1 = d.userIds().get(1L);
        assertThat(d.ratingHistory(u1)).containsExactly(3.0f, 4.5f);
        int ap = d.itemIds().get(11L);
        assertThat(d.meta().title(ap)).isEqualTo("American President, The \"Best\"");
        assertThat(d.meta().genres(ap)).containsExactly("Comedy", "Drama", "Romance");
    }

    @Test
    void ml100kReadsGenreFlagsAndReleaseYears(@TempDir Path dir) throws Exception {
        write(dir, "u.data", "1\t2\t3\t881250949\n2\t1\t5\t881250950\n1\t1\t4\t881250948\n", StandardCharsets.US_ASCII);
        String flags1 = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
        String flagsUnknown = "|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
        write(
                dir,
                "u.item",
                "1|Toy Story (1995)|01-Jan-1995||http://x" + flags1 + "\n2|unknown|01-Jan-1996||" + flagsUnknown + "\n",
                StandardCharsets.ISO_8859_1);
        Dataset d = MovieLens.read100k(dir);
        assertThat(d.history(d.userIds().get(1L)))
                .containsExactly(d.itemIds().get(1L), d.itemIds().get(2L));
        ItemMeta m = d.meta();
        assertThat(m.genres(d.itemIds().get(1L))).containsExactly("Animation", "Children's", "Comedy");
        assertThat(m.title(d.itemIds().get(2L))).isNull();
        assertThat(m.genres(d.itemIds().get(2L))).isEmpty();
        assertThat(m.year(d.itemIds().get(2L))).isEqualTo(1996);
    }

    @Test
    void delimitedLogsWithTextIdsIsoTimesAndEventsAreRead(@TempDir Path dir) throws Exception {
        Path f = write(
                dir,
                "log.tsv",
                "when\tcustomer\tsku\taction\n2024-01-02T10:00:00Z\talice\tA-1\tview\n"
                        + "2024-01-01\talice\tB-2\tbuy\n2024-01-01T12:00:00\tbob\tA-1\tview\n",
                StandardCharsets.UTF_8);
        Dataset d = DelimitedReader.builder()
                .delimiter("\t")
                .user("customer")
                .item("sku")
                .timestamp("when")
                .event("action")
                .build()
                .read(f);
        assertThat(d.numUsers()).isEqualTo(2);
        int alice = d.userIds().get("alice");
        assertThat(d.history(alice))
                .containsExactly(d.itemIds().get("B-2"), d.itemIds().get("A-1"));
        assertThat(d.timestampHistory(alice)).containsExactly(1704067200L, 1704189600L);
        assertThat(d.eventTypes().external(d.eventHistory(alice)[0])).isEqualTo("buy");
        assertThat(d.name()).isEqualTo("log.tsv");
        assertThatThrownBy(() -> DelimitedReader.builder()
                        .user("nope")
                        .item("sku")
                        .delimiter("\t")
                        .build()
                        .read(f))
                .hasMessageContaining("column 'nope' not found")
                .hasMessageContaining("customer");
        Path g = write(dir, "bad.csv", "u,i,t\n1,2,yesterday\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DelimitedReader.builder()
                        .user("u")
                        .item("i")
                        .timestamp("t")
                        .build()
                        .read(g))
                .hasMessageContaining("bad.csv:2:")
                .hasMessageContaining("'yesterday'");
    }

    @Test
    void kCoreIteratesUntilStableAndRenumbersDensely(@TempDir Path dir) throws Exception {
        // user 1: a b c ; user 2: a b ; user 3: a d. With 2-core on both sides: d (1 user) goes,
        // then user 3 has 1 item and goes; c has 1 user and goes; then a, b have 2 users each.
        Path f = write(dir, "x.csv", "u,i\n1,a\n1,b\n1,c\n2,a\n2,b\n3,a\n3,d\n", StandardCharsets.UTF_8);
        Dataset d = DelimitedReader.builder().user("u").item("i").build().read(f);
        Dataset k = Preprocess.kCore(d, 2, 2);
        assertThat(k.numUsers()).isEqualTo(2);
        assertThat(k.numItems()).isEqualTo(2);
        assertThat(k.itemIds().toList()).containsExactly("a", "b");
        assertThat(k.userIds().toList()).containsExactly("1", "2");
        assertThat(k.history(1)).containsExactly(1, 2);
    }

    @Test
    void ratingThresholdKeepsLikedInteractionsOnly(@TempDir Path dir) throws Exception {
        write(dir, "ratings.dat", "1::1::5::1\n1::2::2::2\n2::2::3::3\n1::3::4::4\n", StandardCharsets.US_ASCII);
        Dataset d = Preprocess.implicit(MovieLens.read1m(dir), 4f);
        assertThat(d.numInteractions()).isEqualTo(2);
        assertThat(d.numUsers()).isEqualTo(1);
        assertThat(d.itemIds().toList()).containsExactly("1", "3");
        assertThat(d.name()).isEqualTo("ml-1m|rating>=4");
    }

    @Test
    void statisticsUseNearestRankPercentiles() {
        DatasetStats s = DatasetStats.of(10, 20, new int[] {5, 1, 3, 2, 4});
        assertThat(s.interactions()).isEqualTo(15);
        assertThat(s.density()).isEqualTo(15.0 / 200);
        assertThat(s.minLength()).isEqualTo(1);
        assertThat(s.median()).isEqualTo(3);
        assertThat(s.p25()).isEqualTo(2);
        assertThat(s.p90()).isEqualTo(5);
        assertThat(s.mean()).isEqualTo(3.0);
        assertThat(s.maxLength()).isEqualTo(5);
    }

    @Test
    void contentPutsGenresAndYearBeforeTitleWordsAndMapsRareTokensToUnk() {
        String[] titles = {null, "Misérables, Les", "Toy Story", null};
        String[][] genres = {{}, {"Drama", "Musical"}, {"Children's", "Comedy", "Drama"}, {}};
        ItemMeta meta = new ItemMeta(titles, genres, new int[] {0, 1995, 1995, 0});
        ContentBuilder.Result r = new ContentBuilder(6, 2, 100).build(meta);
        assertThat(new ContentBuilder().tokens(meta, 1))
                .containsExactly("genre:drama", "genre:musical", "year:1995", "decade:1990s", "misérables", "les");
        // tokens in 2 items: genre:drama, year:1995, decade:1990s -> ids 3, 4, 5 (by count, then name)
        assertThat(r.vocabulary().tokens())
                .containsExactly("[PAD]", "[ITEM]", "[UNK]", "decade:1990s", "genre:drama", "year:1995");
        ItemContent c = r.content();
        // item 1: marker, genre:drama, genre:musical (UNK), year, decade, misérables (UNK) -> cut to 6
        assertThat(java.util.Arrays.copyOfRange(c.tokens(), 6, 12)).containsExactly(1, 4, 2, 5, 3, 2);
        assertThat(java.util.Arrays.copyOfRange(c.tokens(), 18, 24)).containsExactly(1, 0, 0, 0, 0, 0);
        assertThat(java.util.Arrays.copyOfRange(c.tokens(), 0, 6)).containsExactly(1, 0, 0, 0, 0, 0);
    }

    @Test
    void titlesLoseTheirYearButKeepOtherParentheses() {
        assertThat(Titles.split("City of Lost Children, The (Cité des enfants perdus, La) (1995)"))
                .isEqualTo(new Titles.TitleYear("City of Lost Children, The (Cité des enfants perdus, La)", 1995));
        assertThat(Titles.split("Fawlty Towers (1975-1979)")).isEqualTo(new Titles.TitleYear("Fawlty Towers", 1975));
        assertThat(Titles.split("Babylon 5")).isEqualTo(new Titles.TitleYear("Babylon 5", 0));
    }
}
