package dev.recsys.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogueTest {
    @Test
    void onlyCanonicalDecimalsAreNumbers() {
        assertThat(Catalogue.number("0")).isZero();
        assertThat(Catalogue.number("7")).isEqualTo(7);
        assertThat(Catalogue.number("3952")).isEqualTo(3952);
        assertThat(Catalogue.number("999999999")).isEqualTo(999_999_999);
        for (String s : new String[] {"", "007", "00", "-1", "+1", "1.0", "1e3", " 1", "1 ", "a1", "1000000000"}) {
            assertThat(Catalogue.number(s)).as("'%s'", s).isEqualTo(-1);
        }
    }

    @Test
    void numericIdsGetATableOfDenseIdsAndOthersNone() {
        int[] t = Catalogue.numericIndex(List.of("", "1", "3952", "7"));
        assertThat(t).hasSize(3953);
        assertThat(t[1]).isEqualTo(1);
        assertThat(t[3952]).isEqualTo(2);
        assertThat(t[7]).isEqualTo(3);
        assertThat(t[2]).isZero();
        assertThat(Catalogue.numericIndex(List.of("", "1", "tt0114709"))).isNull();
        assertThat(Catalogue.numericIndex(List.of("", "1", "007"))).isNull();
        // a number far beyond the catalogue's size would make a large table: the map is used instead
        assertThat(Catalogue.numericIndex(List.of("", "1", Integer.toString(Catalogue.maxNumber(3) + 1))))
                .isNull();
    }
}
