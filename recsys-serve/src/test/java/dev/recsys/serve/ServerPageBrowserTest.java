package dev.recsys.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in a real browser: Debian's {@code chromium}, headless, loads the page with a
 * history in its address and must show the top 10 the API gives for that history. Skipped when
 * no chromium is installed ({@code apt-get install chromium}).
 */
@Timeout(180)
class ServerPageBrowserTest {
    @TempDir
    Path dir;

    static Path chromium() {
        for (String p : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @Test
    void thePageShowsTheRecommendationsOfTheHistoryInItsAddress() throws Exception {
        Path browser = chromium();
        assumeTrue(browser != null, "no chromium installed: skipping the browser test");
        Path model = Fixtures.contentCheckpoint(dir.resolve("model"), 1);
        try (Backend backend = Backends.create("djl", BackendOptions.defaults());
                RecsysServer s = RecsysServer.start(
                        model,
                        backend,
                        Fixtures.dataset(),
                        ServerConfig.builder().port(0).build())) {
            JsonNode want = Fixtures.post(s.uri(), "/v1/recommend", "{\"history\": [\"101\", \"105\"], \"k\": 10}")
                    .json();
            Path out = dir.resolve("dom.html");
            Process p = new ProcessBuilder(
                            browser.toString(),
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--user-data-dir=" + dir.resolve("profile"),
                            "--virtual-time-budget=15000",
                            "--dump-dom",
                            s.uri() + "#history=101,105")
                    .redirectOutput(out.toFile())
                    .redirectError(dir.resolve("err.txt").toFile())
                    .start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            String dom = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(dom).as(stderr()).contains("<tr class=\"rec\">");
            List<String> titles = new ArrayList<>();
            want.path("items")
                    .forEach(x ->
                            titles.add("<td class=\"title\">" + x.path("title").asText() + "</td>"));
            int at = 0;
            for (String t : titles) {
                int i = dom.indexOf(t, at);
                assertThat(i).as("%s after position %d", t, at).isGreaterThanOrEqualTo(0);
                at = i;
            }
            // under every recommendation, why: the history items attended to and the item's words
            assertThat(dom.split("<td colspan=\"3\" class=\"why\">attended: Title 10", -1))
                    .as("a why line per recommendation")
                    .hasSize(titles.size() + 1);
            assertThat(dom.split("its words: genre:g|its words: word:w", -1)).hasSize(titles.size() + 1);
            // the history column shows the two items by title
            assertThat(dom).contains("Title 101").contains("Title 105").contains(s.modelVersion());
        }
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("err.txt"));
        } catch (IOException e) {
            return "";
        }
    }
}
