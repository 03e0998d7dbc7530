package dev.fanout.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.encoder.player.PlayerPage;
import dev.fanout.encoder.storage.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The job's player page in a real browser (Debian chromium driven by npm playwright-core, see
 * local/src/test/browser/play-page.cjs): a real job's output folder, served by the same server
 * as {@code run-local.sh --serve}, played by each player until it is past several segments, then
 * switched to every rendition through the page's quality menu (dash.js and Shaka Player on the
 * MPD, hls.js on the HLS master playlist); the decoded picture size must
 * become that rendition's, with no player error, page error, console error or failed request.
 * The page is the deployed page byte for byte: its CDN script URLs are answered with the npm
 * package files, so the browser enforces the page's integrity hashes against them.
 */
class PlayerPageBrowserTest {
    static final double SEGMENT_SECONDS = 2;
    /** Played before switching: past three segments. */
    static final double PLAY_SECONDS = 3 * SEGMENT_SECONDS + 0.5;
    static final Path PROJECT = LocalStateMachine.findTemplate().getParent();
    static final Path NPM = PROJECT.resolve(".tools/browser/node_modules");
    static final Path DRIVER = PROJECT.resolve("local/src/test/browser/play-page.cjs");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = PROJECT.resolve("local/target");

    @TempDir
    static Path dir;
    static PipelineFixture fx;
    static PipelineFixture.Job job;
    static OutputServer server;
    static List<Map<String, Object>> renditions = new ArrayList<>();

    @BeforeAll
    static void encodeAndServe() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "the browser tests need Debian's chromium at " + CHROMIUM
                + " (apt-get install chromium; .ci/run installs it) or CHROMIUM_PATH");
        assertTrue(Files.isDirectory(NPM.resolve("playwright-core")), "the browser tests need " + NPM
                + "/playwright-core: run scripts/install-browser-test-tools.sh (the Maven build of local/ runs it)");
        fx = new PipelineFixture(dir);
        // 16 s with audio, three renditions of different sizes, 2 s segments in 4 s chunks
        Path src = fx.generate("player.mp4", SampleClip.of(640, 360, "30", 16));
        fx.upload(src, "uploads/player.mp4");
        job = fx.run("uploads/player.mp4", Map.of("LADDER", "360@900,270@500,180@300",
                "SEGMENT_SECONDS", Integer.toString((int) SEGMENT_SECONDS), "CHUNK_SECONDS", "4"));
        assertTrue(job.outcome().succeeded(), () -> "job failed: " + job.outcome().result());
        for (JsonNode r : job.record().path("ladder")) {
            renditions.add(Map.of("id", r.path("id").asText(), "width", r.path("width").asInt(), "height", r.path("height").asInt()));
        }
        assertEquals(List.of("640x360", "480x270", "320x180"),
                renditions.stream().map(r -> r.get("width") + "x" + r.get("height")).toList(), "the ladder under test");
        server = OutputServer.start(job.dir(), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (fx != null) fx.close();
    }

    /** The pinned CDN files are the installed npm files: same version, same SHA-384 as the page's integrity attribute. */
    @Test
    void integrityHashesMatchTheNpmPackages() throws Exception {
        for (PlayerPage.Library lib : PlayerPage.LIBRARIES) {
            Path pkg = NPM.resolve(lib.npmPackage());
            String installed = Json.MAPPER.readTree(pkg.resolve("package.json").toFile()).path("version").asText();
            assertEquals(lib.version(), installed, lib.npmPackage() + ": PlayerPage pins " + lib.version()
                    + " but scripts/install-browser-test-tools.sh installed " + installed + "; keep them equal");
            byte[] sha384 = MessageDigest.getInstance("SHA-384").digest(Files.readAllBytes(pkg.resolve(lib.file())));
            assertEquals("sha384-" + Base64.getEncoder().encodeToString(sha384), lib.integrity(),
                    lib.npmPackage() + "@" + lib.version() + "/" + lib.file() + ": PlayerPage's integrity hash differs from the npm file's");
        }
    }

    @Test
    void jobRecordNamesThePlayerPage() throws Exception {
        assertEquals("jobs/" + job.outcome().jobId() + "/index.html", job.record().path("outputs").path("playerPage").asText());
        assertTrue(Files.isRegularFile(job.dir().resolve("index.html")));
    }

    @Test
    void dashjsPlaysTheMpdAndSwitchesToEveryRendition() throws Exception {
        assertPlaysAndSwitches("dashjs");
    }

    @Test
    void shakaPlayerPlaysTheMpdAndSwitchesToEveryRendition() throws Exception {
        assertPlaysAndSwitches("shaka");
    }

    @Test
    void hlsjsPlaysTheMasterPlaylistAndSwitchesToEveryRendition() throws Exception {
        assertPlaysAndSwitches("hls");
    }

    private static void assertPlaysAndSwitches(String player) throws Exception {
        JsonNode r = drive(player);
        String report = report(player, r);
        System.out.println(report);
        if (!r.path("fatal").isNull()) fail(player + ": the browser run failed: " + r.path("fatal").asText() + report);
        assertTrue(r.path("ready").asBoolean(), player + ": the player never became ready" + report);
        assertEquals(server.url() + "poster.jpg", r.path("poster").path("src").asText(), player + ": the page shows the job's poster" + report);
        assertEquals(List.of(640, 360), List.of(r.path("poster").path("width").asInt(), r.path("poster").path("height").asInt()),
                player + ": the poster image decodes at the source's size" + report);
        assertTrue(r.path("playedTo").asDouble() >= PLAY_SECONDS, player + ": playback did not pass " + PLAY_SECONDS + " s" + report);
        assertEquals(renditions.size(), r.path("switches").size(), player + ": one switch per rendition" + report);
        for (JsonNode s : r.path("switches")) {
            assertEquals(s.path("expected").toString(), s.path("observed").toString(),
                    player + ": after selecting " + s.path("id").asText() + " the video's decoded size" + report);
            assertTrue(s.path("error").isNull(), player + ": switching to " + s.path("id").asText() + ": " + s.path("error").asText() + report);
            assertTrue(s.path("playedTo").asDouble() > s.path("shownAt").asDouble(), player + ": playback stopped after " + s.path("id").asText() + report);
        }
        assertEquals("[]", r.path("playerErrors").toString(), player + ": errors the page reported" + report);
        assertEquals("[]", r.path("pageErrors").toString(), player + ": uncaught page errors" + report);
        List<String> consoleErrors = new ArrayList<>();
        for (JsonNode m : r.path("consoleLog")) if (m.path("type").asText().equals("error")) consoleErrors.add(m.path("text").asText());
        assertEquals(List.of(), consoleErrors, player + ": console errors" + report);
        assertEquals("[]", r.path("failedResponses").toString(), player + ": HTTP errors" + report);
        assertEquals("[]", r.path("failedRequests").toString(), player + ": failed requests" + report);
        assertEquals("[]", r.path("unexpectedRequests").toString(), player + ": requests to anywhere but the local server and the player's CDN URL" + report);
    }

    /** Runs the browser driver against the served page with {@code ?player=}; returns its observations. */
    private static JsonNode drive(String player) throws Exception {
        Map<String, String> routes = new LinkedHashMap<>();
        for (PlayerPage.Library lib : PlayerPage.LIBRARIES) routes.put(lib.url(), NPM.resolve(lib.npmPackage()).resolve(lib.file()).toString());
        Files.createDirectories(SCREENSHOTS);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("playwrightCore", NPM.resolve("playwright-core").toString());
        config.put("chromium", CHROMIUM.toString());
        config.put("userDataDir", Files.createTempDirectory(dir, "chromium-profile-").toString());
        config.put("url", server.url() + "?player=" + player);
        config.put("routes", routes);
        config.put("renditions", renditions);
        config.put("playSeconds", PLAY_SECONDS);
        config.put("screenshot", SCREENSHOTS.resolve("player-" + player + ".png").toString());
        config.put("stepTimeoutMs", 15_000);
        Path configFile = dir.resolve("driver-" + player + ".json");
        Json.MAPPER.writeValue(configFile.toFile(), config);

        Path out = dir.resolve("driver-" + player + ".out");
        Path err = dir.resolve("driver-" + player + ".err");
        Process p = new ProcessBuilder("node", DRIVER.toString(), configFile.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(player + ": the browser driver did not finish in 150 s; stderr: " + tail(err));
        }
        String stdout = Files.readString(out).strip();
        if (stdout.isEmpty()) fail(player + ": the browser driver printed nothing (exit " + p.exitValue() + "); stderr: " + tail(err));
        return Json.MAPPER.readTree(stdout.substring(stdout.lastIndexOf('\n') + 1));
    }

    /** What a failure message needs to explain itself: the page's errors, the switches and the whole console. */
    private static String report(String player, JsonNode r) {
        StringBuilder b = new StringBuilder("\n--- ").append(player).append(" in chromium, ").append(server.url()).append(" ---\n");
        b.append("poster ").append(r.path("poster")).append("; played to ").append(r.path("playedTo")).append(" s; player errors ").append(r.path("playerErrors"))
                .append("; player warnings ").append(r.path("playerWarnings")).append('\n');
        for (JsonNode s : r.path("switches")) b.append("switch ").append(s).append('\n');
        b.append("page errors ").append(r.path("pageErrors")).append("; HTTP errors ").append(r.path("failedResponses"))
                .append("; failed requests ").append(r.path("failedRequests")).append("; unexpected requests ").append(r.path("unexpectedRequests")).append('\n');
        b.append("console:\n");
        for (JsonNode m : r.path("consoleLog")) b.append("  [").append(m.path("type").asText()).append("] ").append(m.path("text").asText()).append('\n');
        b.append("screenshot: ").append(SCREENSHOTS.resolve("player-" + player + ".png"));
        return b.toString();
    }

    private static String tail(Path file) throws IOException {
        String s = Files.exists(file) ? Files.readString(file) : "";
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
