package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    private final Tokenizer tok = Tokenizer.DEFAULT;

    @Test
    void accentedLettersStayInsideTheWordAndAreLowerCased() {
        assertThat(tok.tokenize("Misérables, Les (1995)")).containsExactly("misérables", "les", "1995");
        assertThat(tok.tokenize("CRÈME BRÛLÉE")).containsExactly("crème", "brûlée");
    }

    @Test
    void decomposedAccentsGiveTheSameTokenAsPrecomposedOnes() {
        String decomposed = "Mise\u0301rables";
        assertThat(tok.tokenize(decomposed)).containsExactly("misérables");
        assertThat(tok.tokenize(decomposed).get(0)).isEqualTo("mis\u00e9rables");
    }

    @Test
    void punctuationSplitsWordsAndInnerApostrophesAreDropped() {
        assertThat(tok.tokenize("Children's  Hour: Part-2!")).containsExactly("childrens", "hour", "part", "2");
        assertThat(tok.tokenize("'Til There Was You")).containsExactly("til", "there", "was", "you");
        assertThat(tok.tokenize("rock 'n' roll")).containsExactly("rock", "n", "roll");
        assertThat(tok.tokenize("L\u2019Homme")).containsExactly("lhomme");
    }

    @Test
    void emptyAndNullTextGiveNoTokens() {
        assertThat(tok.tokenize(null)).isEmpty();
        assertThat(tok.tokenize("")).isEmpty();
        assertThat(tok.tokenize(" ,.;-- ")).isEmpty();
    }

    @Test
    void lowerCasingDoesNotDependOnThePlatformLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(new Locale("tr", "TR"));
            assertThat(tok.tokenize("TITANIC")).containsExactly("titanic");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void nonLatinScriptsAndSupplementaryCharactersAreWords() {
        assertThat(tok.tokenize("Крёстный Отец")).containsExactly("крёстный", "отец");
        assertThat(tok.tokenize("七人の侍 (1954)")).containsExactly("七人の侍", "1954");
        // Deseret capital long I (U+10400, outside the BMP) lower-cases to U+10428
        assertThat(tok.tokenize("a\uD801\uDC00b c")).containsExactly("a\uD801\uDC28b", "c");
    }

    @Test
    void longWordsAreCutToTheLimit() {
        assertThat(new Tokenizer(3).tokenize("abcdef gh")).containsExactly("abc", "gh");
        assertThatThrownBy(() -> new Tokenizer(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 0");
    }
}
