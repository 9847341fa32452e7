package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.BackendProvider;
import dev.recsys.api.spi.Backends;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class Dl4jBackendProviderTest {
    @Test
    void theProviderIsFoundByNameThroughTheServiceLoaderAndRanksBelowDjl() {
        BackendProvider p = Backends.select("dl4j");
        assertThat(p).isInstanceOf(Dl4jBackendProvider.class);
        assertThat(p.isAvailable()).isTrue();
        assertThat(p.priority()).isEqualTo(50);
        assertThat(p.artifact()).isEqualTo("dev.recsys:recsys-backend-dl4j");
        assertThat(Backends.providers()).extracting(BackendProvider::name).containsSubsequence("djl", "dl4j");
    }

    @Test
    void creatingTheBackendAppliesBoundedOffHeapDefaultsAndReportsTheEngine() {
        try (Backend b =
                new Dl4jBackendProvider().create(new BackendOptions(1, 1, Path.of("target", "javacpp-cache")))) {
            assertThat(b.name()).isEqualTo("dl4j");
            assertThat(b.engineVersion()).contains("1.0.0-M2.1");
            // set by the surefire configuration of this module, or by the provider's defaults when absent
            assertThat(System.getProperty("org.bytedeco.javacpp.maxbytes")).isNotBlank();
            assertThat(System.getProperty("recsys.dl4j.maxresident"))
                    .as("the resident-size bound")
                    .isNotBlank();
            assertThat(org.bytedeco.javacpp.Pointer.maxPhysicalBytes())
                    .as("JavaCPP's per-pointer check, off by default")
                    .isZero();
            assertThat(org.bytedeco.javacpp.Pointer.maxBytes()).isPositive().isLessThanOrEqualTo(4L << 30);
        }
    }
}
