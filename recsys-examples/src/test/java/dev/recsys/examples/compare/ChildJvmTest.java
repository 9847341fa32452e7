package dev.recsys.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {
    /** A child that prints two lines and fails like a BackendRunner with bad input. */
    public static final class FailingChild {
        public static void main(String[] args) {
            System.out.println("working on " + args[0]);
            System.err.println(BackendRunner.ERROR_PREFIX + "no such thing: " + args[0]);
            System.exit(2);
        }
    }

    @Test
    void childRunsWithThisClassPathAndReportsItsExitCodeAndLines() throws IOException {
        List<String> seen = new ArrayList<>();
        ChildJvm.Result r = ChildJvm.run(FailingChild.class, List.of("x.txt"), seen::add);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(seen).contains("working on x.txt", BackendRunner.ERROR_PREFIX + "no such thing: x.txt");
        assertThat(r.lastLines()).endsWith(BackendRunner.ERROR_PREFIX + "no such thing: x.txt");
    }

    @Test
    void commandCarriesTheRuntimeLogLevelAndTheClassPath() {
        String key = "org.slf4j.simpleLogger.log.test.ChildJvmTest";
        System.setProperty(key, "error");
        try {
            List<String> cmd = ChildJvm.command(FailingChild.class, List.of("a"));
            assertThat(cmd).contains("-D" + key + "=error", "-cp", System.getProperty("java.class.path"));
            assertThat(cmd.subList(cmd.size() - 2, cmd.size())).containsExactly(FailingChild.class.getName(), "a");
        } finally {
            System.clearProperty(key);
        }
    }
}
