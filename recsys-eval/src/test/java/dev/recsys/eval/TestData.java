package dev.recsys.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the shared MovieLens files (not in the repository); tests that need them skip when absent. */
public final class TestData {
    private TestData() {}

    /** The shared data folder: {@code -Drecsys.data=...}, else {@code ../../shared/data} from the module folder. */
    public static Path root() {
        String p = System.getProperty("recsys.data");
        return p != null ? Paths.get(p) : Paths.get("../../shared/data");
    }

    /** {@code root()/relative}, skipping the calling test when it does not exist. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(
                Files.exists(p),
                "shared data not available: " + p.toAbsolutePath().normalize());
        return p;
    }
}
