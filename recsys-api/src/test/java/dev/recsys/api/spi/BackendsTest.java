package dev.recsys.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.BackendException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {
    record Fake(String name, int priority, boolean isAvailable) implements BackendProvider {
        public String artifact() {
            return "dev.recsys:recsys-backend-" + name;
        }

        public Backend create(BackendOptions o) {
            throw new UnsupportedOperationException("selection only");
        }
    }

    private final Fake djl = new Fake("djl", 100, true);
    private final Fake dl4j = new Fake("dl4j", 50, true);
    private final List<BackendProvider> both = List.of(djl, dl4j);

    @Test
    void explicitNameWinsOverPropertyAndEnvironment() {
        assertThat(Backends.select("DL4J", "djl", "djl", both)).isSameAs(dl4j);
    }

    @Test
    void propertyWinsOverEnvironmentAndEnvironmentOverPriority() {
        assertThat(Backends.select(null, "dl4j", "djl", both)).isSameAs(dl4j);
        assertThat(Backends.select(null, null, "dl4j", both)).isSameAs(dl4j);
        assertThat(Backends.select(null, " ", null, both)).isSameAs(djl);
    }

    @Test
    void highestPriorityAvailableProviderIsTheDefault() {
        Fake broken = new Fake("fast", 1000, false);
        assertThat(Backends.select(null, null, null, List.of(broken, djl, dl4j)))
                .isSameAs(djl);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Backends.select("tensorflow", null, null, both))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("unknown backend 'tensorflow'")
                .hasMessageContaining("[djl, dl4j]");
    }

    @Test
    void noProviderNamesTheArtifactsToAdd() {
        assertThatThrownBy(() -> Backends.select(null, null, null, List.of()))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("recsys-backend-djl");
    }

    @Test
    void namedProviderWithoutItsEngineSaysWhatToAdd() {
        assertThatThrownBy(() -> Backends.select("fast", null, null, List.of(new Fake("fast", 1, false))))
                .hasMessageContaining("dev.recsys:recsys-backend-fast");
    }
}
