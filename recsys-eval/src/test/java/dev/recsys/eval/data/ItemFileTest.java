package dev.recsys.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.api.data.NewItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text, java.nio.charset.Charset cs) throws Exception {
        return Files.writeString(dir.resolve(name), text, cs);
    }

    @Test
    void aMoviesDatFileGivesIdsTitlesYearsGenresAndTheTrainingTokens() throws Exception {
        Path f = write(
                "new.dat",
                "5001::Misérables, Les 2 (2003)::Drama|Musical\n\n5002::Untitled::\n",
                StandardCharsets.ISO_8859_1);
        List<ItemFile.Entry> items = ItemFile.read(f);
        assertThat(items).hasSize(2);
        ItemFile.Entry e = items.get(0);
        assertThat(e.id()).isEqualTo("5001");
        assertThat(e.title()).isEqualTo("Misérables, Les 2");
        assertThat(e.year()).isEqualTo(2003);
        assertThat(e.genres()).containsExactly("Drama", "Musical");
        assertThat(e.source()).isEqualTo(f + ":1");
        assertThat(e.displayTitle()).isEqualTo("Misérables, Les 2 (2003)");
        NewItem n = e.toNewItem();
        assertThat(n.tokens())
                .containsExactly("genre:drama", "genre:musical", "year:2003", "decade:2000s", "misérables", "les", "2");
        // the same tokens the content table of a training run gets for such an item
        ItemMeta meta = new ItemMeta(
                new String[] {null, "Misérables, Les 2"}, new String[][] {{}, {"Drama", "Musical"}}, new int[] {0, 2003
                });
        assertThat(n.tokens()).isEqualTo(new ContentBuilder().tokens(meta, 1));
        assertThat(items.get(1).genres()).isEmpty();
        assertThat(items.get(1).source()).isEqualTo(f + ":3");
    }

    @Test
    void csvFilesInTheMoviesCsvLayoutOrWithNamedColumns() throws Exception {
        Path movies = write(
                "movies.csv",
                "movieId,title,genres\n7001,\"Heat, Again (2001)\",Action|Crime\n",
                StandardCharsets.UTF_8);
        ItemFile.Entry m = ItemFile.read(movies).get(0);
        assertThat(m.id()).isEqualTo("7001");
        assertThat(m.title()).isEqualTo("Heat, Again");
        assertThat(m.year()).isEqualTo(2001);
        assertThat(m.genres()).containsExactly("Action", "Crime");

        Path named = write(
                "catalogue.csv", "Title,year,ID\nSpace Opera,1999,sku-9\nNo Year,,sku-10\n", StandardCharsets.UTF_8);
        List<ItemFile.Entry> items = ItemFile.read(named);
        assertThat(items.get(0).id()).isEqualTo("sku-9");
        assertThat(items.get(0).year()).isEqualTo(1999);
        assertThat(items.get(0).toNewItem().tokens()).containsExactly("year:1999", "decade:1990s", "space", "opera");
        assertThat(items.get(1).year()).isZero();
        assertThat(items.get(1).source()).isEqualTo(named + ":3");

        Path noHeader = write("plain.csv", "12,Plain (1990),Comedy\n", StandardCharsets.UTF_8);
        assertThat(ItemFile.read(noHeader).get(0).genres()).containsExactly("Comedy");
    }

    @Test
    void badItemFilesFailWithTheFileAndLine() throws Exception {
        Path shortLine = write("bad.dat", "1::Fine (1990)::Drama\n2::Missing genres\n", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ItemFile.read(shortLine))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(shortLine + ":2: expected at least 3 fields (MovieID::Title::Genres), found 2");
        Path twice = write("twice.dat", "1::A::Drama\n1::B::Drama\n", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ItemFile.read(twice))
                .isInstanceOf(DataException.class)
                .hasMessage(twice + ":2: item id '1' is given twice (first on line 1)");
        Path emptyId = write("empty.dat", " ::A::Drama\n", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ItemFile.read(emptyId))
                .isInstanceOf(DataException.class)
                .hasMessage(emptyId + ":1: the item id (field 1) is empty");
        Path unknown = write("desc.csv", "id,title,description\n1,A,long text\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ItemFile.read(unknown))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(
                        unknown + ":1: unknown column 'description' in the header 'id,title,description'");
        Path noTitle = write("notitle.csv", "id,genres\n1,Drama\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ItemFile.read(noTitle))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(noTitle + ":1: the header must name an id column");
        Path badYear = write("year.csv", "id,title,year\n1,A,soon\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ItemFile.read(badYear))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(badYear + ":2: year (field 3) is not an integer");
        Path blank = write("blank.dat", "\n\n", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ItemFile.read(blank))
                .isInstanceOf(DataException.class)
                .hasMessage(blank + ": no items (an items file has one item per line)");
        assertThatThrownBy(() -> ItemFile.read(dir.resolve("absent.dat")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("absent.dat");
    }

    @Test
    void withBucketsTheTrainingWordsOfASingleItemTrainTheRowsThatNewWordsLandOn() {
        ItemMeta meta = new ItemMeta(
                new String[] {null, "Alpha Beta", "Alpha Gamma", "Alpha Delta"},
                new String[][] {{}, {"Drama"}, {"Drama"}, {"Comedy"}},
                new int[] {0, 0, 0, 0});
        ContentBuilder.Result r = new ContentBuilder(6, 2, 1000, 4).build(meta);
        dev.recsys.api.data.Vocabulary v = r.vocabulary();
        // alpha (3 items) and genre:drama (2) have rows; beta, gamma, delta, genre:comedy (1 item each) share buckets
        assertThat(v.tokens())
                .containsExactly(
                        "[PAD]", "[ITEM]", "[UNK]", "alpha", "genre:drama", "[OOV:0]", "[OOV:1]", "[OOV:2]", "[OOV:3]");
        int[] row2 = java.util.Arrays.copyOfRange(r.content().tokens(), 2 * 6, 3 * 6);
        assertThat(row2).containsExactly(1, 4, 3, 5 + dev.recsys.api.data.Vocabulary.bucketOf("gamma", 4), 0, 0);
        assertThat(v.id("a-word-never-seen")).isBetween(5, 8);
    }

    @Test
    void everyMl1mMovieAddedAsANewItemGetsExactlyItsTrainingContentRow() throws Exception {
        Path txt = dev.recsys.eval.TestData.require("sasrec/ml-1m.txt");
        Path map = dev.recsys.eval.TestData.require("sasrec/sas_to_original_items.txt");
        Path movies = dev.recsys.eval.TestData.require("ml-1m/movies.dat");
        Dataset d = Sasrec.read(txt, map, movies);
        ContentBuilder.Result training = new ContentBuilder(12, 2, 50_000).build(d);
        int n = d.numItems();
        java.util.Map<String, ItemFile.Entry> byMovie = new java.util.HashMap<>();
        ItemFile.read(movies).forEach(e -> byMovie.put(e.id(), e));
        List<NewItem> again = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(map)) {
            String[] f = line.trim().split("\\s+");
            ItemFile.Entry e = byMovie.get(f[1]);
            again.add(new NewItem("again-" + f[0], e.toNewItem().tokens()));
        }
        assertThat(again).hasSize(n);
        dev.recsys.api.config.ModelConfig cfg = dev.recsys.api.config.ModelConfig.builder()
                .numItems(n)
                .dim(4)
                .heads(1)
                .ffnDim(4)
                .maxLen(4)
                .content(training.vocabulary().size(), 12, 0)
                .build();
        dev.recsys.api.io.CheckpointData cd = new dev.recsys.api.io.CheckpointData(
                cfg,
                dev.recsys.api.model.Initializer.init(cfg, 1),
                training.content(),
                training.vocabulary().tokens(),
                null,
                java.util.Map.of(),
                null);
        dev.recsys.api.io.ItemAddition a = cd.withItems(again, false);
        int[] t = a.data().content().tokens();
        for (int k = 0; k < n; k++) {
            int sas = Integer.parseInt(again.get(k).id().substring("again-".length()));
            int added = a.entries().get(k).dense();
            assertThat(java.util.Arrays.copyOfRange(t, added * 12, added * 12 + 12))
                    .as("movie of sas item %d added again", sas)
                    .isEqualTo(java.util.Arrays.copyOfRange(t, sas * 12, sas * 12 + 12));
        }
    }
}
