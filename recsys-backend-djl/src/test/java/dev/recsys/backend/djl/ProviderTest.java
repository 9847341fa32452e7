package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.BackendException;
import dev.recsys.api.spi.BackendProvider;
import dev.recsys.api.spi.Backends;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ProviderTest {

    @Test
    void serviceLoaderFindsTheDjlProviderAndSelectionByNameReturnsIt() {
        boolean found = false;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p instanceof DjlBackendProvider) {
                found = true;
                assertThat(p.name()).isEqualTo("djl");
                assertThat(p.priority()).isEqualTo(100);
                assertThat(p.artifact()).isEqualTo("dev.recsys:recsys-backend-djl");
                assertThat(p.isAvailable()).isTrue();
            }
        }
        assertThat(found).isTrue();
        assertThat(Backends.select("djl")).isInstanceOf(DjlBackendProvider.class);
    }

    @Test
    void loadingTheProviderKeepsDjlOfflineAndSilent() {
        new DjlBackendProvider();
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
    }

    @Test
    void missingNativesFailWithTheArtifactsToAdd() {
        ClassLoader empty = new ClassLoader(null) {};
        assertThatThrownBy(() -> DjlEngine.checkNativesPresent(empty))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64")
                .hasMessageContaining("ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0")
                .hasMessageContaining("Nothing is downloaded");
        DjlEngine.checkNativesPresent(ProviderTest.class.getClassLoader()); // the module's own classpath has both
    }

    @Test
    void theDefaultNativeFolderIsUnderTheUsersCacheFolder() {
        Path d = DjlEngine.defaultCacheDir();
        assertThat(d.endsWith(Path.of("recsys", "djl"))).isTrue();
    }

    @Test
    void theBackendNamesItsEngineAndRefusesModelsAfterClose() {
        var b = new DjlBackendProvider().create(dev.recsys.api.spi.BackendOptions.defaults());
        assertThat(b.name()).isEqualTo("djl");
        assertThat(b.engineVersion()).isEqualTo("DJL 0.36.0 / PyTorch 2.7.1");
        var c = Fixtures.idOnly();
        var m = b.create(c, null, dev.recsys.api.model.Initializer.init(c, 1), 1);
        b.close();
        b.close();
        assertThatThrownBy(() -> m.scoreAll(Fixtures.batch(c, 2, new int[] {1}, 1)))
                .hasMessage("model is closed");
        assertThatThrownBy(() -> b.create(c, null, dev.recsys.api.model.Initializer.init(c, 1), 1))
                .isInstanceOf(IllegalStateException.class);
    }
}
